using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using MarketPulse.Storage;
using MarketPulse.Storage.Rollups;
using Npgsql;

namespace MarketPulse.Api;

/// <summary>Runs <see cref="SentimentQueries"/> for the dashboard APIs and the live feed.</summary>
[SuppressMessage("Security", "CA2100", Justification = "Every SQL text comes from SentimentQueries (constants and grain-chosen constants); values are parameters.")]
public sealed class DashboardReader(Databases databases)
{
    public async Task<IReadOnlyList<SeriesPoint>> SeriesAsync(RollupGrain grain, string symbol, DateTimeOffset from, DateTimeOffset to, string? assetClass, string? source, CancellationToken cancellationToken)
    {
        await using var command = databases.Analytics.CreateCommand(SentimentQueries.Series(grain));
        command.Parameters.AddWithValue(symbol);
        command.Parameters.AddWithValue(Floor(from, grain));
        command.Parameters.AddWithValue(to);
        command.Parameters.Add(Text(assetClass));
        command.Parameters.Add(Text(source));
        return await ReadAsync(command, r => new SeriesPoint(r.GetFieldValue<DateTimeOffset>(0), r.GetInt32(1), r.GetDouble(2), r.GetInt32(3), r.GetInt32(4), r.GetInt32(5)), cancellationToken);
    }

    public async Task<IReadOnlyList<Mover>> MoversAsync(DateTimeOffset from, DateTimeOffset to, bool bySwing, int limit, CancellationToken cancellationToken)
    {
        var grain = SentimentQueries.GrainFor(to - from);
        await using var command = databases.Analytics.CreateCommand(SentimentQueries.Movers(grain, bySwing));
        var start = Floor(from, grain);
        command.Parameters.AddWithValue(start);
        command.Parameters.AddWithValue(to);
        command.Parameters.AddWithValue(Floor(start + ((to - start) / 2), grain));
        command.Parameters.AddWithValue(limit);
        command.Parameters.AddWithValue(1);
        return await ReadAsync(command, r => new Mover(r.GetString(0), r.GetInt32(1), r.GetDouble(2), r.IsDBNull(3) ? null : r.GetDouble(3)), cancellationToken);
    }

    public async Task<IReadOnlyList<AnalysedItem>> ItemsAsync(
        string? symbol, string? source, string? label, DateTimeOffset from, DateTimeOffset to,
        (DateTimeOffset AnalyzedAt, Guid ItemId, string Version)? cursor, int limit, CancellationToken cancellationToken)
    {
        await using var command = databases.Analytics.CreateCommand(SentimentQueries.Items);
        command.Parameters.Add(Text(symbol));
        command.Parameters.Add(Text(source));
        command.Parameters.Add(Text(label));
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(to);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?> { TypedValue = cursor?.AnalyzedAt });
        command.Parameters.Add(new NpgsqlParameter<Guid?> { TypedValue = cursor?.ItemId });
        command.Parameters.Add(Text(cursor?.Version));
        command.Parameters.AddWithValue(limit);
        return await WithHeadlinesAsync(await ReadAsync(command, ReadItem, cancellationToken), cancellationToken);
    }

    public async Task<IReadOnlyList<AlertEntry>> AlertsAsync(DateTimeOffset from, DateTimeOffset to, string? symbol, int limit, CancellationToken cancellationToken)
    {
        await using var command = databases.Analytics.CreateCommand(SentimentQueries.Alerts);
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(to);
        command.Parameters.Add(Text(symbol));
        command.Parameters.AddWithValue(limit);
        return await ReadAsync(command, ReadAlert, cancellationToken);
    }

    /// <summary>The newest analyses, alerts and duplicates since <paramref name="since"/>, at most <paramref name="limit"/> of each.</summary>
    public async Task<(IReadOnlyList<AnalysedItem> Items, IReadOnlyList<AlertEntry> Alerts, IReadOnlyList<DuplicateEntry> Duplicates)> RecentAsync(
        DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        await using var items = databases.Analytics.CreateCommand(SentimentQueries.RecentAnalyses);
        items.Parameters.AddWithValue(since);
        items.Parameters.AddWithValue(limit);
        await using var alerts = databases.Analytics.CreateCommand(SentimentQueries.RecentAlerts);
        alerts.Parameters.AddWithValue(since);
        alerts.Parameters.AddWithValue(limit);
        await using var duplicates = databases.Analytics.CreateCommand(SentimentQueries.RecentDuplicates);
        duplicates.Parameters.AddWithValue(since);
        duplicates.Parameters.AddWithValue(limit);
        return (await ReadAsync(items, ReadItem, cancellationToken),
            await ReadAsync(alerts, ReadAlert, cancellationToken),
            await ReadAsync(duplicates, r => new DuplicateEntry(r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3)), cancellationToken));
    }

    /// <summary>Fills headline and link from the raw database (the analytics rows carry no text).</summary>
    public async Task<IReadOnlyList<AnalysedItem>> WithHeadlinesAsync(IReadOnlyList<AnalysedItem> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return items;
        }

        await using var command = databases.Raw.CreateCommand(SentimentQueries.Headlines);
        command.Parameters.AddWithValue(items.Select(i => i.Id).Distinct().ToArray());
        var texts = (await ReadAsync(command, r => (Id: r.GetGuid(0), Title: r.IsDBNull(1) ? null : r.GetString(1), Text: r.IsDBNull(2) ? null : r.GetString(2), Url: r.IsDBNull(3) ? null : r.GetString(3)), cancellationToken))
            .ToDictionary(t => t.Id);
        foreach (var item in items)
        {
            if (texts.TryGetValue(item.Id, out var t))
            {
                item.Headline = Shorten(t.Title ?? t.Text);
                item.Url = t.Url;
            }
        }

        return items;
    }

    public async Task<(int Analysed, double? LatencyP95Ms, int Duplicates, int Failures)> AnalyticsWindowAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var command = databases.Analytics.CreateCommand(SentimentQueries.PipelineWindow);
        command.Parameters.AddWithValue(since);
        var rows = await ReadAsync(command, r => (r.GetInt32(0), r.IsDBNull(1) ? (double?)null : r.GetDouble(1), r.GetInt32(2), r.GetInt32(3)), cancellationToken);
        return rows[0];
    }

    public async Task<(int Received, int Backlog)> IngestWindowAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var command = databases.Raw.CreateCommand(SentimentQueries.IngestWindow);
        command.Parameters.AddWithValue(since);
        var rows = await ReadAsync(command, r => (r.GetInt32(0), r.GetInt32(1)), cancellationToken);
        return rows[0];
    }

    /// <summary>The bucket a time falls in, so a range that starts mid-bucket still counts that bucket.</summary>
    private static DateTimeOffset Floor(DateTimeOffset t, RollupGrain grain)
    {
        var width = SentimentQueries.Width(grain).Ticks;
        return new DateTimeOffset(t.UtcTicks - (t.UtcTicks % width), TimeSpan.Zero);
    }

    private static AnalysedItem ReadItem(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFloat(4), r.GetFloat(5), r.GetString(6),
        JsonDocument.Parse(r.GetString(7)).RootElement, r.GetFieldValue<string[]>(8), r.GetFieldValue<DateTimeOffset>(9),
        r.GetFieldValue<DateTimeOffset>(10), r.GetDouble(11), r.GetInt32(12));

    private static AlertEntry ReadAlert(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetGuid(3),
        r.GetString(4), r.GetString(5), r.GetFieldValue<DateTimeOffset>(6));

    private static NpgsqlParameter<string?> Text(string? value) => new() { TypedValue = value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text };

    private static string? Shorten(string? text) => text is null ? null : text.Length <= 200 ? text : text[..200] + "…";

    private static async Task<IReadOnlyList<T>> ReadAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
