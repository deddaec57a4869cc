using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using MarketPulse.DevBroker;
using MarketPulse.Hosting;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Testing;

namespace MarketPulse.Tests.Worker;

/// <summary>
/// The development broker stopped and started on its fixed port (<c>broker --port</c>): the worker keeps running
/// against the same address, but the log behind it is new and starts at offset 0.
/// </summary>
public sealed class BrokerReplacedTests
{
    [Fact]
    public async Task A_worker_whose_broker_is_replaced_at_the_same_address_analyses_everything_on_the_new_one()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        var port = FreePort();
        var first = NewCluster(setup, port);
        try
        {
            setup.Settings.RemoveAll(s => s.Key == "Kafka:BootstrapServers");
            setup.Settings.Add(new("Kafka:BootstrapServers", first.BootstrapServers));
            await setup.StartAsync(HostTarget.Analyze, ("Kafka:LossCheckInterval", "00:00:00.200"));
            var before = Items("before", 3);
            await ProduceAsync(first.BootstrapServers, setup.Topic("Sentiment"), before);
            await WaitAnalysedAsync(setup, before);
        }
        finally
        {
            first.Dispose();
        }

        // More messages on the new log than the worker had read on the old one: a position carried over would skip some.
        using var second = NewCluster(setup, port);
        var after = Items("after", 6);
        await ProduceAsync(second.BootstrapServers, setup.Topic("Sentiment"), after);
        await WaitAnalysedAsync(setup, after);
    }

    private static MockKafkaCluster NewCluster(WorkerSetup setup, int port)
    {
        var cluster = new MockKafkaCluster(port: port);
        foreach (var key in new[] { "Sentiment", "Aggregation", "MarketData", "Alert", "DeadLetter" })
        {
            var partitions = int.Parse(setup.Settings.First(s => s.Key == $"Kafka:{key}:Partitions").Value!, CultureInfo.InvariantCulture);
            cluster.CreateTopic(setup.Topic(key), partitions);
        }

        return cluster;
    }

    private static List<ItemMessage> Items(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => WorkerSetup.Item($"Bharti Airtel {prefix} update number {i}: subscriber numbers rise {i + 3} percent", id: $"{prefix}-{i}-{Guid.NewGuid():N}"))];

    private static async Task ProduceAsync(string bootstrap, string topic, IEnumerable<ItemMessage> items)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All }).Build();
        foreach (var item in items)
        {
            await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = item.Key, Value = item.Serialize() });
        }
    }

    private static async Task WaitAnalysedAsync(WorkerSetup setup, List<ItemMessage> items)
    {
        var ids = items.Select(i => i.Id).ToArray();
        await Poll.EventuallyAsync(
            () => setup.CountAsync("SELECT (SELECT count(DISTINCT item_id) FROM analysis_results WHERE item_id = ANY($1)) + (SELECT count(*) FROM duplicates WHERE item_id = ANY($1))", ids),
            n => n == ids.Length,
            $"an outcome for each of {ids.Length} items");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
