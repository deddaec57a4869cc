using System.Globalization;
using System.Text.RegularExpressions;

namespace MarketPulse.Tools.Grafana;

/// <summary>A template variable's value(s) as Grafana's PostgreSQL datasource interpolates them.</summary>
public sealed record GrafanaValue(IReadOnlyList<string> Values, bool Quoted)
{
    // Multi-value and include-All variables become quoted literals joined by commas; a single value goes in raw
    // (with its quotes doubled), so SQL writes '$symbol' but IN ($source).
    public string Sql => Quoted
        ? string.Join(',', Values.Select(v => "'" + v.Replace("'", "''", StringComparison.Ordinal) + "'"))
        : Values.Count == 0 ? "" : Values[0].Replace("'", "''", StringComparison.Ordinal);
}

/// <summary>
/// Grafana's expansion of a PostgreSQL query, step by step as Grafana does it: template variables (the frontend),
/// then <c>$__interval_ms</c>, <c>$__interval</c> and the epoch values (sqleng), then the macros
/// (<c>$__timeFilter</c>, <c>$__timeGroup[Alias]</c>, <c>$__timeFrom/To</c>, <c>$__time[Epoch]</c>) of the
/// grafana-postgresql-datasource macro engine.
/// </summary>
public static partial class GrafanaSql
{
    private static readonly TimeSpan[] NiceIntervals =
    [
        TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2),
        TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromDays(1),
        TimeSpan.FromDays(7), TimeSpan.FromDays(30),
    ];

    /// <summary>The <c>$__interval</c> of a panel about 1,000 points wide, rounded up to a round interval, at least <paramref name="minimum"/>.</summary>
    public static TimeSpan Interval(TimeSpan range, TimeSpan? minimum)
    {
        var raw = range / 1000;
        var nice = NiceIntervals.FirstOrDefault(i => i >= raw, NiceIntervals[^1]);
        return minimum is { } min && min > nice ? min : nice;
    }

    /// <summary>gtime.FormatInterval: the largest whole unit (30s, 1m, 2h, 1d).</summary>
    public static string FormatInterval(TimeSpan interval) => interval switch
    {
        _ when interval >= TimeSpan.FromDays(365) => $"{(long)(interval / TimeSpan.FromDays(365))}y",
        _ when interval >= TimeSpan.FromDays(1) => $"{(long)(interval / TimeSpan.FromDays(1))}d",
        _ when interval >= TimeSpan.FromHours(1) => $"{(long)(interval / TimeSpan.FromHours(1))}h",
        _ when interval >= TimeSpan.FromMinutes(1) => $"{(long)(interval / TimeSpan.FromMinutes(1))}m",
        _ when interval >= TimeSpan.FromSeconds(1) => $"{(long)(interval / TimeSpan.FromSeconds(1))}s",
        _ => $"{Math.Max(1, (long)interval.TotalMilliseconds)}ms",
    };

    /// <summary>Expands <paramref name="sql"/> for the range [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public static string Expand(string sql, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, IReadOnlyDictionary<string, GrafanaValue> variables)
    {
        var text = Variable().Replace(sql, m =>
        {
            var name = m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["plain"].Value;
            return variables.TryGetValue(name, out var value) ? value.Sql : m.Value;
        });
        text = text.Replace("$__interval_ms", ((long)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$__interval", FormatInterval(interval), StringComparison.Ordinal)
            .Replace("$__unixEpochFrom()", from.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$__unixEpochTo()", to.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return Macro().Replace(text, m => Evaluate(m.Groups[1].Value, m.Groups[2].Value.Split(',').Select(a => a.Trim()).ToArray(), from, to));
    }

    /// <summary>The <c>$name</c> and <c>${name}</c> references of a text, Grafana's own <c>$__</c> names left out.</summary>
    public static IEnumerable<string> VariablesUsed(string text) =>
        Variable().Matches(text).Select(m => m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["plain"].Value)
            .Where(name => !name.StartsWith("__", StringComparison.Ordinal));

    private static string Evaluate(string name, string[] args, DateTimeOffset from, DateTimeOffset to) => name switch
    {
        "__time" => $"{args[0]} AS \"time\"",
        "__timeEpoch" => $"extract(epoch from {args[0]}) as \"time\"",
        "__timeFilter" => $"{args[0]} BETWEEN '{Rfc3339(from)}' AND '{Rfc3339(to)}'",
        "__timeFrom" => $"'{Rfc3339(from)}'",
        "__timeTo" => $"'{Rfc3339(to)}'",
        "__timeGroup" => TimeGroup(args),
        "__timeGroupAlias" => TimeGroup(args) + " AS \"time\"",
        "__unixEpochFilter" => $"{args[0]} >= {from.ToUnixTimeSeconds()} AND {args[0]} <= {to.ToUnixTimeSeconds()}",
        _ => throw new FormatException($"unknown macro ${name}"),
    };

    private static string TimeGroup(string[] args)
    {
        if (args.Length < 2)
        {
            throw new FormatException("$__timeGroup needs a time column and an interval");
        }

        var seconds = ParseInterval(args[1].Trim('\'')).TotalSeconds.ToString(CultureInfo.InvariantCulture);
        return $"floor(extract(epoch from {args[0]})/{seconds})*{seconds}";
    }

    private static TimeSpan ParseInterval(string text)
    {
        var match = IntervalText().Match(text);
        if (!match.Success)
        {
            throw new FormatException($"error parsing interval {text}");
        }

        var n = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            "w" => TimeSpan.FromDays(7 * n),
            _ => TimeSpan.FromDays(365 * n),
        };
    }

    // RFC 3339 with nanoseconds as Go prints it: trailing zeros of the fraction dropped.
    private static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\$\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?<plain>(?>[A-Za-z_][A-Za-z0-9_]*))(?!\()")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\$([_a-zA-Z0-9]+)\(([^\)]*)\)")]
    private static partial Regex Macro();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)$")]
    private static partial Regex IntervalText();
}
