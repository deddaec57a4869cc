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

    private sealed class CsvParser(TextReader reader, string sourceName)
    {
        private readonly StringBuilder _field = new();
        private int _line = 1;

        public List<string>? ReadRecord(out int startLine)
        {
            startLine = _line;
            var first = reader.Peek();
            if (first < 0)
            {
                return null;
            }

            var fields = new List<string>();
            while (true)
            {
                var ended = ReadField(out var atEndOfRecord);
                fields.Add(_field.ToString());
                _field.Clear();
                if (atEndOfRecord || ended)
                {
                    return fields;
                }
            }
        }

        // Reads one field into _field. Returns true at end of input; atEndOfRecord is set at a line break.
        private bool ReadField(out bool atEndOfRecord)
        {
            atEndOfRecord = false;
            if (reader.Peek() == '"')
            {
                reader.Read();
                var quoteLine = _line;
                while (true)
                {
                    var c = reader.Read();
                    if (c < 0)
                    {
                        throw new FormatException($"{sourceName}:{quoteLine}: quoted field is not closed before the end of the file.");
                    }

                    if (c == '"')
                    {
                        if (reader.Peek() == '"')
                        {
                            reader.Read();
                            _field.Append('"');
                            continue;
                        }

                        break;
                    }

                    if (c == '\n')
                    {
                        _line++;
                    }

                    _field.Append((char)c);
                }

                // After the closing quote only a separator or the end of the record may follow.
                var next = reader.Read();
                if (next < 0)
                {
                    return true;
                }

                if (next == ',')
                {
                    return false;
                }

                if (ConsumeLineBreak(next))
                {
                    atEndOfRecord = true;
                    return false;
                }

                throw new FormatException($"{sourceName}:{_line}: unexpected character '{(char)next}' after a closing quote.");
            }

            while (true)
            {
                var c = reader.Read();
                if (c < 0)
                {
                    return true;
                }

                if (c == ',')
                {
                    return false;
                }

                if (ConsumeLineBreak(c))
                {
                    atEndOfRecord = true;
                    return false;
                }

                _field.Append((char)c);
            }
        }

        // True when c starts a line break (LF, CR or CRLF); the rest of it is consumed and the line counted.
        private bool ConsumeLineBreak(int c)
        {
            if (c == '\r')
            {
                if (reader.Peek() == '\n')
                {
                    reader.Read();
                }
            }
            else if (c != '\n')
            {
                return false;
            }

            _line++;
            return true;
        }
    }
}
