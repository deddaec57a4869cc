using System.Globalization;
using System.Text;
using MarketPulse.Analysis;

namespace MarketPulse.Tools.Training;

/// <summary>One labelled training or evaluation example.</summary>
/// <param name="Text">The text as written.</param>
/// <param name="Label">Its gold label.</param>
/// <param name="Line">The 1-based line of the file where the record starts, for error messages.</param>
public sealed record LabeledText(string Text, SentimentLabel Label, int Line = 0);

/// <summary>
/// Reads <c>text,label</c> CSV files in the TFNS layout (labels 0 bearish, 1 bullish, 2 neutral).
/// The parser follows RFC 4180: quoted fields may hold commas, doubled quotes and line breaks.
/// </summary>
public static class LabeledCsv
{
    /// <summary>Reads every record of the file; throws <see cref="FormatException"/> naming file and line on a bad row.</summary>
    public static IReadOnlyList<LabeledText> Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path);
    }

    /// <summary>Reads every record from <paramref name="reader"/>; <paramref name="sourceName"/> is used in error messages.</summary>
    public static IReadOnlyList<LabeledText> Read(TextReader reader, string sourceName)
    {
        var parser = new CsvParser(reader, sourceName);
        var result = new List<LabeledText>();
        var header = parser.ReadRecord(out var headerLine)
            ?? throw new FormatException($"{sourceName}: the file is empty; expected a header 'text,label'.");
        var textColumn = header.FindIndex(h => string.Equals(h.Trim(), "text", StringComparison.OrdinalIgnoreCase));
        var labelColumn = header.FindIndex(h => string.Equals(h.Trim(), "label", StringComparison.OrdinalIgnoreCase));
        if (textColumn < 0 || labelColumn < 0)
        {
            throw new FormatException($"{sourceName}:{headerLine}: expected a header with columns 'text' and 'label', found '{string.Join(',', header)}'.");
        }

        while (parser.ReadRecord(out var line) is { } record)
        {
            if (record.Count == 1 && record[0].Length == 0)
            {
                continue; // blank line
            }

            if (record.Count != header.Count)
            {
                throw new FormatException($"{sourceName}:{line}: expected {header.Count} fields, found {record.Count}.");
            }

            var labelText = record[labelColumn].Trim();
            if (!int.TryParse(labelText, NumberStyles.None, CultureInfo.InvariantCulture, out var label) || label is < 0 or > 2)
            {
                throw new FormatException($"{sourceName}:{line}: label '{labelText}' is not 0 (bearish), 1 (bullish) or 2 (neutral).");
            }

            result.Add(new LabeledText(record[textColumn], (SentimentLabel)label, line));
        }

        return result;
    }
}
