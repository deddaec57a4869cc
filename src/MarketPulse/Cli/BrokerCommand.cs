using MarketPulse.Messaging;
using MarketPulse.DevBroker;

namespace MarketPulse.Cli;

/// <summary>
/// Hosts librdkafka's mock cluster on its own, with the configured topics, so that
/// <c>serve --target ingest</c> and <c>serve --target analyze</c> can run as separate processes.
/// </summary>
internal static class BrokerCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = new CommandArgs(args, "address-file");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = options.ConfigurationArgs, ContentRootPath = AppContext.BaseDirectory });
        var kafka = builder.Configuration.GetSection(KafkaOptions.Section).Get<KafkaOptions>() ?? new KafkaOptions();

        using var cluster = new MockKafkaCluster();
        foreach (var topic in kafka.GetTopics())
        {
            cluster.CreateTopic(topic.Name, topic.Partitions);
        }

        if (options.Get("address-file") is { } file)
        {
            await File.WriteAllTextAsync(file, cluster.BootstrapServers + Environment.NewLine, cancellationToken);
        }

        Console.WriteLine($"Kafka-protocol development broker (librdkafka mock cluster) at {cluster.BootstrapServers}");
        Console.WriteLine("In memory only: its messages are lost when it stops. Not for production.");
        Console.WriteLine($"Topics: {string.Join(", ", kafka.GetTopics().Select(t => $"{t.Name} ({t.Partitions})"))}");
        Console.WriteLine($"Use it with: export Kafka__BootstrapServers={cluster.BootstrapServers}");
        Console.WriteLine("Ctrl-C stops it.");

        var stopped = new TaskCompletionSource();
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stopped.TrySetResult(); });
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stopped.TrySetResult(); });
        await stopped.Task.WaitAsync(cancellationToken);
        return 0;
    }
}
