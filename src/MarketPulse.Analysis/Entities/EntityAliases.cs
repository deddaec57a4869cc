namespace MarketPulse.Analysis.Entities;

/// <summary>
/// Short and former names of listed companies that the listing files do not spell (Mundra Port is Adani Ports
/// today, Hudco is listed as HUDCO, DB Realty as "D B Realty"). Names that could mean several securities are
/// not here: they stay unlinked.
/// </summary>
internal static class EntityAliases
{
    private static readonly Dictionary<string, (string Symbol, string Exchange)> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Mundra Port"] = ("ADANIPORTS", "NSE"),
        ["Mundra Port & SEZ"] = ("ADANIPORTS", "NSE"),
        ["Adani Ports"] = ("ADANIPORTS", "NSE"),
        ["Hudco"] = ("HUDCO", "NSE"),
        ["DB Realty"] = ("DBREALTY", "NSE"),
        ["D B Realty"] = ("DBREALTY", "NSE"),
        ["Shalimar Paints"] = ("SHALPAINTS", "NSE"),
        ["MTNL"] = ("MTNL", "NSE"),
    };

    public static bool TryGet(string mention, out (string Symbol, string Exchange) listing) =>
        Names.TryGetValue(mention.Trim(), out listing);
}
