using System.Text.Json;
using Confluent.Kafka;
using MarketPulse.DevBroker;
using MarketPulse.Hosting;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Storage;
using MarketPulse.Testing;
using MarketPulse.Tests.Foundation;
using Microsoft.Extensions.DependencyInjection;

namespace MarketPulse.Tests.Worker;

/// <summary>Per-test databases and topics for the analysis worker, and helpers to feed and observe it.</summary>
internal sealed class WorkerSetup : IAsyncDisposable
{
    private readonly List<TestApp> _apps = [];

    private WorkerSetup(TestDatabases databases, List<KeyValuePair<string, string?>> settings)
    {
        Databases = databases;
        Settings = settings;
    }

    public TestDatabases Databases { get; }

    public List<KeyValuePair<string, string?>> Settings { get; }

    public string Topic(string key) => Settings.First(s => s.Key == $"Kafka:{key}:Name").Value!;

    public static async Task<WorkerSetup> CreateAsync(int partitions = 6, params (string Key, string? Value)[] extra)
    {
        var databases = await TestDatabases.CreateAsync();
        var settings = databases.Settings()
            .Concat(TestKafka.TopicSettings("wk", partitions))
            .Concat(TestWebhooks.SecretSettings())
            .Append(new("Analysis:BatchWindow", "00:00:00.010"))
            .Append(new("Analysis:RetryDelay", "00:00:00.200"))
            .Concat(extra.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)))
            .ToList();
        return new WorkerSetup(databases, settings);
    }

    /// <summary>Points the application at a broker of the test's own (which the test may stop), with the same topic names, one partition each.</summary>
    public void UseOwnBroker(MockKafkaCluster cluster)
    {
        foreach (var key in new[] { "Sentiment", "Aggregation", "MarketData", "Alert", "DeadLetter" })
        {
            cluster.CreateTopic(Topic(key), 1);
        }

        Settings.RemoveAll(s => s.Key is "Kafka:BootstrapServers" || s.Key.EndsWith(":Partitions", StringComparison.Ordinal));
        Settings.AddRange([new("Kafka:BootstrapServers", cluster.BootstrapServers), new("Kafka:MessageTimeout", "00:00:02")]);
    }

    public async Task<TestApp> StartAsync(HostTarget target, params (string Key, string? Value)[] extra)
    {
        var app = await TestApp.StartAsync(target, Settings.Concat(extra.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value))));
        _apps.Add(app);
        return app;
    }

    /// <summary>Starts the application with services of the test registered first (e.g. an <c>ITextAnalyzer</c>, which wins over the configured one).</summary>
    public async Task<TestApp> StartAsync(HostTarget target, Action<IServiceCollection> services, params (string Key, string? Value)[] extra)
    {
        var app = await TestApp.StartAsync(target, Settings.Concat(extra.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value))), services);
        _apps.Add(app);
        return app;
    }

    public async Task StopAsync(TestApp app)
    {
        _apps.Remove(app);
        await app.DisposeAsync();
    }

    /// <summary>Puts item messages on the sentiment topic as the outbox would (key source:external_id).</summary>
    public async Task ProduceAsync(IEnumerable<ItemMessage> items)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = TestKafka.BootstrapServers, EnableIdempotence = true, Acks = Acks.All }).Build();
        foreach (var item in items)
        {
            await producer.ProduceAsync(Topic("Sentiment"), new Message<string, byte[]> { Key = item.Key, Value = item.Serialize() });
        }
    }

    public async Task ProduceRawAsync(string key, byte[] value)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = TestKafka.BootstrapServers }).Build();
        await producer.ProduceAsync(Topic("Sentiment"), new Message<string, byte[]> { Key = key, Value = value });
    }

    public static ItemMessage Item(string text, string source = "news", string? id = null) => new(
        Guid.CreateVersion7(), source, id ?? Guid.NewGuid().ToString("N"), "text", text, null, null, null, "en", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, [], new Dictionary<string, double>());

    public Task<long> CountAsync(string sql, params object[] parameters) => Databases.ScalarAsync<long>(DatabaseKind.Analytics, sql, parameters);

    public Task<long> WaitForCountAsync(string sql, long expected, params object[] parameters) =>
        Poll.UntilAsync(() => CountAsync(sql, parameters), count => count >= expected, TimeSpan.FromSeconds(90));

    /// <summary>Reads every message now on a topic (from the start), waiting until at least <paramref name="atLeast"/> arrived.</summary>
    public List<ConsumeResult<string, byte[]>> ReadTopic(string key, int atLeast, string? bootstrapServers = null)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers ?? TestKafka.BootstrapServers,
            GroupId = TestStack.UniqueName("reader"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(Topic(key));
        var messages = new List<ConsumeResult<string, byte[]>>();
        var end = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var quiet = 0;
        while (DateTime.UtcNow < end)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } m)
            {
                messages.Add(m);
                quiet = 0;
            }
            else if (messages.Count >= atLeast && ++quiet >= 5)
            {
                break;
            }
        }

        consumer.Close();
        return messages;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        await Databases.DisposeAsync();
    }
}
