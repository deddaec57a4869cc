using MarketPulse.Messaging;
using System.CommandLine;
using MarketPulse.DevBroker;

namespace MarketPulse.Cli;

/// <summary>
/// Hosts librdkafka's mock cluster on its own, with the configured topics, so that
/// <c>serve --target ingest</c> and <c>serve --target analyze</c> can run as separate processes.
/// </summary>
internal static class BrokerCommand
{
    public static Command Create(string[] configuration)
    {
        var addressFile = new Option<string?>("--address-file") { Description = "also write the broker's address to this file" };
        var port = CommandOptions.WholeNumber("--port", "port of 127.0.0.1 to listen on, so a broker started again has the same address; 0 picks a free one", 0, 0, 65535);
        var command = new Command("broker", "host the in-memory Kafka-protocol development broker and print its address") { addressFile, port };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(addressFile), parse.GetValue(port), configuration, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? addressFile, int port, string[] configuration, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = configuration, ContentRootPath = AppContext.BaseDirectory });
        var kafka = builder.Configuration.GetSection(KafkaOptions.Section).Get<KafkaOptions>() ?? new KafkaOptions();

        using var cluster = new MockKafkaCluster(port: port);
        foreach (var topic in kafka.GetTopics())
        {
            cluster.CreateTopic(topic.Name, topic.Partitions);
        }

        if (addressFile is { } file)
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
