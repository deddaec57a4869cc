using System.Text;
using System.Text.Json;
using MarketPulse.Analysis;

namespace MarketPulse.Tools.Training;

/// <summary>Reads SEntFiN 1.0 files: <c>id,headline,entities</c>, the entities column a JSON object entity -> positive|negative|neutral.</summary>
public static class SentfinCsv
{
    /// <summary>Reads every record of the file; throws <see cref="FormatException"/> naming file and line on a bad row.</summary>
    public static IReadOnlyList<SentfinHeadline> Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path);
    }

    /// <summary>Reads every record from <paramref name="reader"/>; <paramref name="sourceName"/> is used in error messages.</summary>
    public static IReadOnlyList<SentfinHeadline> Read(TextReader reader, string sourceName)
    {
        var parser = new CsvParser(reader, sourceName);
        var header = parser.ReadRecord(out var headerLine)
            ?? throw new FormatException($"{sourceName}: the file is empty; expected a header 'id,headline,entities'.");
        int idColumn = Column(header, "id"), textColumn = Column(header, "headline"), entitiesColumn = Column(header, "entities");
        if (idColumn < 0 || textColumn < 0 || entitiesColumn < 0)
        {
            throw new FormatException($"{sourceName}:{headerLine}: expected a header with columns 'id', 'headline' and 'entities', found '{string.Join(',', header)}'.");
        }

        var result = new List<SentfinHeadline>();
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

            result.Add(new SentfinHeadline(record[idColumn].Trim(), record[textColumn], Entities(record[entitiesColumn], sourceName, line), line));
        }

        return result;
    }

    internal static int Column(List<string> header, string name) =>
        header.FindIndex(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));

    private static List<EntityLabel> Entities(string json, string sourceName, int line)
    {
        var entities = new List<EntityLabel>();
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{sourceName}:{line}: the entities column is not a JSON object.");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                var label = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                entities.Add(new EntityLabel(property.Name, label switch
                {
                    "positive" => SentimentLabel.Bullish,
                    "negative" => SentimentLabel.Bearish,
                    "neutral" => SentimentLabel.Neutral,
                    _ => throw new FormatException($"{sourceName}:{line}: entity '{property.Name}' has label '{property.Value}', not positive, negative or neutral."),
                }));
            }
        }
        catch (JsonException e)
        {
            throw new FormatException($"{sourceName}:{line}: the entities column is not valid JSON: {e.Message}", e);
        }

        if (entities.Count == 0)
        {
            throw new FormatException($"{sourceName}:{line}: the headline names no entity.");
        }

        return entities;
    }
}
