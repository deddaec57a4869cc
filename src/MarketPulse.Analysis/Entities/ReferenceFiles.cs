namespace MarketPulse.Analysis.Entities;

/// <summary>Readers for the publishers' formats: NSE/NSE Indices/S&amp;P CSV (quoted fields) and the Nasdaq pipe files.</summary>
internal static class ReferenceFiles
{
    /// <summary>Rows of a delimited file as header-name lookups; header cells are trimmed (NSE keeps leading spaces).</summary>
    public static IEnumerable<Func<string, string>> ReadRows(string path, char delimiter)
    {
        using var reader = new StreamReader(path);
        var headerLine = reader.ReadLine();
        if (headerLine is null)
        {
            yield break;
        }

        var header = Split(headerLine, delimiter);
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Count; i++)
        {
            columns.TryAdd(header[i].Trim(), i);
        }

        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("File Creation Time", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var cells = Split(line, delimiter);
            yield return column => columns.TryGetValue(column, out var index) && index < cells.Count ? cells[index].Trim() : "";
        }
    }

    private static List<string> Split(string line, char delimiter)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"' && cell.Length == 0)
            {
                quoted = true;
            }
            else if (c == delimiter)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else if (c != '\r')
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
