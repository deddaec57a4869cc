using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using MarketPulse.Hosting;
using MarketPulse.Ingestion;
using MarketPulse.DevBroker;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Storage;
using MarketPulse.Testing;
using MarketPulse.Webhooks;
using Npgsql;

namespace MarketPulse.Tests.Ingestion;

/// <summary>
/// One ingest application for a test class: its own databases, its own topics (on the shared broker or on
/// a broker the test owns), a secret per source, and helpers to sign requests and to read what was stored
/// and published.
/// </summary>
internal sealed class IngestHarness : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly NpgsqlDataSource _raw;

    private IngestHarness(TestDatabases databases, TestApp app, string bootstrapServers, string sentimentTopic, string marketDataTopic, IReadOnlyDictionary<string, string> secrets)
    {
        Databases = databases;
        App = app;
        BootstrapServers = bootstrapServers;
        SentimentTopic = sentimentTopic;
        MarketDataTopic = marketDataTopic;
        Secrets = secrets;
        _raw = NpgsqlDataSource.Create(databases[DatabaseKind.Raw]);
    }

    public TestDatabases Databases { get; }

    public TestApp App { get; }

    public HttpClient Client => App.Client;

    public string BootstrapServers { get; }

    public string SentimentTopic { get; }

    public string MarketDataTopic { get; }

    /// <summary>The secret configured for each source (sources left out by the test have none).</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; }

    /// <summary>A secret of the required length, distinct per source and per harness.</summary>
    public static string NewSecret(string source) => $"{source}-{Guid.NewGuid():N}";

    /// <summary>Starts the ingest role with a secret for every source except <paramref name="withoutSecret"/>.</summary>
    /// <param name="settings">Extra configuration entries, applied last.</param>
    /// <param name="cluster">A broker owned by the test; null for the shared test broker.</param>
    /// <param name="withoutSecret">Sources that get no secret.</param>
    public static async Task<IngestHarness> StartAsync(
        IEnumerable<KeyValuePair<string, string?>>? settings = null,
        MockKafkaCluster? cluster = null,
        IReadOnlyCollection<string>? withoutSecret = null)
    {
        var databases = await TestDatabases.CreateAsync();
        try
        {
            var kafka = (cluster is null ? TestKafka.TopicSettings("ingest") : OwnClusterTopics(cluster)).ToList();
            var secrets = SourceNormalizers.All.Keys
                .Where(s => withoutSecret?.Contains(s, StringComparer.Ordinal) != true)
                .ToDictionary(s => s, NewSecret, StringComparer.Ordinal);
            var all = databases.Settings()
                .Concat(kafka)
                .Concat(secrets.Select(s => new KeyValuePair<string, string?>($"Webhooks:Sources:{s.Key}:Secret", s.Value)))
                .Concat(settings ?? [])
                .ToList();
            var app = await TestApp.StartAsync(HostTarget.Ingest, all);
            string Setting(string key) => all.Last(kv => kv.Key == key).Value!;
            return new IngestHarness(databases, app, Setting("Kafka:BootstrapServers"), Setting("Kafka:Sentiment:Name"), Setting("Kafka:MarketData:Name"), secrets);
        }
        catch
        {
            await databases.DisposeAsync();
            throw;
        }
    }

    private static IEnumerable<KeyValuePair<string, string?>> OwnClusterTopics(MockKafkaCluster cluster)
    {
        yield return new("Kafka:BootstrapServers", cluster.BootstrapServers);
        yield return new("Kafka:CreateTopics", "false");
        foreach (var (key, partitions) in new[] { ("Sentiment", 3), ("Aggregation", 2), ("MarketData", 2), ("Alert", 1), ("DeadLetter", 1) })
        {
            var name = TestStack.UniqueName("own_" + key.ToLowerInvariant());
            cluster.CreateTopic(name, partitions);
            yield return new($"Kafka:{key}:Name", name);
            yield return new($"Kafka:{key}:Partitions", partitions.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A request to <c>/webhooks/{source}</c> signed with the source's secret (or <paramref name="secret"/>) at <paramref name="signedAt"/> (now).</summary>
    public HttpRequestMessage SignedRequest(string source, byte[] body, string? secret = null, DateTimeOffset? signedAt = null, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/{source}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        WebhookSignature.AddHeaders(request, secret ?? Secrets[source], body, signedAt ?? DateTimeOffset.UtcNow);
        return request;
    }

    public async Task<HttpResponseMessage> PostAsync(string source, string json) =>
        await Client.SendAsync(SignedRequest(source, Encoding.UTF8.GetBytes(json)));

    /// <summary>Posts a signed body, expects 200 and returns the answer.</summary>
    public async Task<WebhookResponse> PostAcceptedAsync(string source, string json)
    {
        using var response = await PostAsync(source, json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /webhooks/{source}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<WebhookResponse>(text, Json)!;
    }

    /// <summary>Reads a problem+json answer, checking the media type.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var problem = document.RootElement.Clone();
        Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    public async Task<long> CountAsync(string table) =>
        await Databases.ScalarAsync<long>(DatabaseKind.Raw, table switch
        {
            "raw_items" => "SELECT count(*) FROM raw_items",
            "outbox" => "SELECT count(*) FROM outbox",
            _ => throw new ArgumentOutOfRangeException(nameof(table)),
        });

    /// <summary>The stored rows of these items, by external id.</summary>
    public async Task<Dictionary<string, RawRow>> RowsAsync(string source, IEnumerable<string> externalIds)
    {
        await using var command = _raw.CreateCommand("""
            SELECT id, source, external_id, kind, text, title, author, url, language, published_at, received_at, symbols, metrics::text, raw::text
            FROM raw_items WHERE source = $1 AND external_id = ANY($2)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = source });
        command.Parameters.Add(new NpgsqlParameter { Value = externalIds.ToArray() });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<string, RawRow>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            var row = new RawRow(
                reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                Nullable(reader, 4), Nullable(reader, 5), Nullable(reader, 6), Nullable(reader, 7), Nullable(reader, 8),
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9),
                reader.GetFieldValue<DateTimeOffset>(10),
                reader.GetFieldValue<string[]>(11),
                JsonSerializer.Deserialize<Dictionary<string, double>>(reader.GetString(12))!,
                reader.GetString(13));
            Assert.True(rows.TryAdd(row.ExternalId, row), $"two rows for {source}:{row.ExternalId}");
        }

        return rows;
    }

    /// <summary>Whether the stored raw payload equals <paramref name="json"/> as JSON (PostgreSQL's jsonb equality).</summary>
    public async Task<bool> RawEqualsAsync(Guid id, string json) =>
        await Databases.ScalarAsync<bool>(DatabaseKind.Raw, "SELECT raw = $2::jsonb FROM raw_items WHERE id = $1", id, json);

    /// <summary>Polls until the outbox is empty (the publisher acknowledged everything).</summary>
    public async Task OutboxDrainedAsync() =>
        await Poll.EventuallyAsync(() => CountAsync("outbox"), n => n == 0, "outbox drained");

    /// <summary>The outbox backlog as /health/ready reports it.</summary>
    public async Task<long> HealthBacklogAsync()
    {
        using var response = await Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("dependencies").GetProperty("outbox").GetProperty("data").GetProperty("backlog").GetInt64();
    }

    /// <summary>Every message now on <paramref name="topic"/>, read from the beginning of each partition.</summary>
    public IReadOnlyList<Published> ReadTopic(string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(20)).Topics.Single().Partitions.Select(p => p.PartitionId).ToList();
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = TestStack.UniqueName("reader"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).SetLogHandler((_, _) => { }).Build();
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var messages = new List<Published>();
        var ended = new HashSet<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (ended.Count < partitions.Count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                ended.Add(result.Partition.Value);
                continue;
            }

            var (type, version) = MessageHeaders.Read(result.Message.Headers);
            messages.Add(type == MarketDataMessage.MessageType
                ? new Published(topic, result.Message.Key, type, version, null, MarketDataMessage.Deserialize(result.Message.Value))
                : new Published(topic, result.Message.Key, type, version, ItemMessage.Deserialize(result.Message.Value), null));
        }

        Assert.True(ended.Count == partitions.Count, $"could not read {topic} to its end");
        consumer.Close();
        return messages;
    }

    /// <summary>Checks a published message, its contract headers included, against the row it was made from.</summary>
    public static void AssertMessageMatches(RawRow row, Published published)
    {
        Assert.Equal(1, published.Version);
        if (row.Kind == "market_data")
        {
            Assert.Equal(MarketDataMessage.MessageType, published.Type);
            var point = Assert.IsType<MarketDataMessage>(published.MarketData);
            Assert.Equal((row.Id, row.Source, row.ExternalId, row.Title, row.PublishedAt, row.ReceivedAt), (point.Id, point.Source, point.ExternalId, point.Title, point.PublishedAt, point.ReceivedAt));
            Assert.Equal(row.Symbols, point.Symbols);
            Assert.Equal(row.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal), point.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal));
            return;
        }

        Assert.Equal(ItemMessage.MessageType, published.Type);
        var message = Assert.IsType<ItemMessage>(published.Item);
        Assert.Equal(row.Id, message.Id);
        Assert.Equal(row.Source, message.Source);
        Assert.Equal(row.ExternalId, message.ExternalId);
        Assert.Equal(row.Kind, message.Kind);
        Assert.Equal(row.Text, message.Text);
        Assert.Equal(row.Title, message.Title);
        Assert.Equal(row.Author, message.Author);
        Assert.Equal(row.Url, message.Url);
        Assert.Equal(row.Language, message.Language);
        Assert.Equal(row.PublishedAt, message.PublishedAt);
        Assert.Equal(row.ReceivedAt, message.ReceivedAt);
        Assert.Equal(row.Symbols, message.Symbols);
        Assert.Equal(row.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal), message.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal));
    }

    /// <summary>Drops every pooled raw-database connection: the application's, this harness's and the tests'.</summary>
    public void ClearPools()
    {
        App.Services.GetRequiredService<Databases>().Raw.Clear();
        _raw.Clear();
        NpgsqlConnection.ClearAllPools();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _raw.DisposeAsync();
        await Databases.DisposeAsync();
    }

    private static string? Nullable(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}

/// <summary>A raw_items row as stored.</summary>
internal sealed record RawRow(
    Guid Id,
    string Source,
    string ExternalId,
    string Kind,
    string? Text,
    string? Title,
    string? Author,
    string? Url,
    string? Language,
    DateTimeOffset? PublishedAt,
    DateTimeOffset ReceivedAt,
    string[] Symbols,
    Dictionary<string, double> Metrics,
    string RawJson);

/// <summary>A message read back from a topic: an item to analyse or a market-data point, by its <c>type</c> header.</summary>
internal sealed record Published(string Topic, string Key, string? Type, int? Version, ItemMessage? Item, MarketDataMessage? MarketData)
{
    public Guid Id => Item?.Id ?? MarketData!.Id;

    public string Source => Item?.Source ?? MarketData!.Source;

    public string ExternalId => Item?.ExternalId ?? MarketData!.ExternalId;
}
