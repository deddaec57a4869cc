using System.Text;

namespace MarketPulse.Tools.Training;

/// <summary>RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks; errors name file and line.</summary>
internal sealed class CsvParser(TextReader reader, string sourceName)
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
