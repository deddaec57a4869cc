using System.Globalization;
using System.Text;

namespace MarketPulse.Tools.Chaos;

/// <summary>One fault's line of the suite's table.</summary>
internal sealed record ChaosRow(string Fault, OutcomeTally Tally, TimeSpan? Recovery);

internal static class ChaosTable
{
    public static string Format(IEnumerable<ChaosRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| fault | items accepted | lost | duplicated rows | results without message | results with >1 message | time to recover |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            var recovery = row.Recovery is { } r ? r.TotalSeconds.ToString("0.0 's'", CultureInfo.InvariantCulture) : "not recovered";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Fault} | {row.Tally.Accepted:N0} | {row.Tally.Lost:N0} | {row.Tally.DuplicatedRows:N0} | {row.Tally.MissingMessages:N0} | {row.Tally.DuplicatedMessages:N0} | {recovery} |");
        }

        return text.ToString();
    }
}
