using System.Globalization;
using System.Text;

namespace MarketPulse.Api;

/// <summary>RFC 4180 CSV for the list and series endpoints.</summary>
public static class Csv
{
    public static IResult Result<T>(string fileName, string[] header, IEnumerable<T> rows, Func<T, object?[]> cells)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', header).Append("\r\n");
        foreach (var row in rows)
        {
            text.AppendJoin(',', cells(row).Select(Cell)).Append("\r\n");
        }

        return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", fileName);
    }

    private static string Cell(object? value)
    {
        var text = value switch
        {
            null => "",
            DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            string[] list => string.Join(' ', list),
            _ => value.ToString() ?? "",
        };

        // A text cell starting with = + - @ would run as a formula in a spreadsheet (numbers are written as numbers).
        if (value is string && text.Length > 0 && "=+-@\t\r".Contains(text[0], StringComparison.Ordinal))
        {
            text = "'" + text;
        }

        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
