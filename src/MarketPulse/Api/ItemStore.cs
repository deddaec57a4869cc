using System.Text.Json;
using MarketPulse.Storage;
using MarketPulse.Worker;
using Npgsql;

namespace MarketPulse.Api;

/// <summary>Reads one item across both databases: the raw row here, its outcomes from the <see cref="AnalyticsStore"/>.</summary>
public sealed class ItemStore(Databases databases, AnalyticsStore analytics)
{
    private const string RawItemSql = """
        SELECT source, external_id, kind, text, title, author, url, language, published_at, received_at, symbols, metrics::text, raw::text
        FROM raw_items WHERE id = $1
        """;

    /// <summary>The item and its outcomes, or null when no item has the id.</summary>
    public async Task<ItemDetails?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        var item = await FindRawAsync(id, cancellationToken);
        if (item is null)
        {
            return null;
        }

        var outcome = await analytics.GetOutcomeAsync(id, cancellationToken);
        return new ItemDetails(item, outcome.Analyses, outcome.DuplicateOf, outcome.Failure);
    }

    private async Task<RawItem?> FindRawAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = databases.Raw.CreateCommand(RawItemSql);
        command.Parameters.AddWithValue(id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new RawItem(
            id, reader.GetString(0), reader.GetString(1), reader.GetString(2),
            Nullable(reader, 3), Nullable(reader, 4), Nullable(reader, 5), Nullable(reader, 6), Nullable(reader, 7),
            reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
            reader.GetFieldValue<DateTimeOffset>(9),
            reader.GetFieldValue<string[]>(10),
            JsonSerializer.Deserialize<Dictionary<string, double>>(reader.GetString(11)) ?? [],
            // A JsonElement deserialised on its own owns its memory: no JsonDocument is left undisposed.
            JsonSerializer.Deserialize<JsonElement>(reader.GetString(12)));
    }

    private static string? Nullable(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
