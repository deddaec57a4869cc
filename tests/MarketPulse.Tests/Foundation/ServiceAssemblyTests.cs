using System.Reflection;
using System.Text.Json;
using MarketPulse.DevBroker;
using MarketPulse.Messaging;

namespace MarketPulse.Tests.Foundation;

/// <summary>
/// What <c>dotnet publish src/MarketPulse</c> ships is the service and the projects in its <c>marketpulse.deps.json</c>:
/// no benchmark, training or synthetic-data code in any of them, and no development broker in production Messaging.
/// </summary>
public sealed class ServiceAssemblyTests
{
    private static readonly string[] ToolTypeNames =
        ["SentimentTraining", "SentimentTrainingOptions", "Lbfgs", "LabeledCsv", "LabeledText", "EvaluationReport", "ClassMetrics", "SyntheticVectors"];

    [Fact]
    public void The_service_is_published_with_its_libraries_and_the_development_broker_but_no_tools()
    {
        Assert.Equal(
            ["MarketPulse.Analysis", "MarketPulse.DevBroker", "MarketPulse.Messaging", "MarketPulse.Storage", "marketpulse"],
            ServiceProjects().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void No_service_assembly_holds_benchmark_training_or_synthetic_data_types()
    {
        foreach (var name in ServiceProjects())
        {
            var tools = Assembly.Load(name).GetTypes()
                .Where(t => t.Namespace is { } ns && (ns.Contains(".Benchmarks", StringComparison.Ordinal) || ns.Contains(".Training", StringComparison.Ordinal)
                    || t.Name.Contains("Benchmark", StringComparison.Ordinal) || ToolTypeNames.Contains(t.Name)))
                .Select(t => t.FullName);
            Assert.True(!tools.Any(), $"{name} holds {string.Join(", ", tools)}");
        }
    }

    [Fact]
    public void Production_messaging_holds_no_development_broker()
    {
        var messaging = typeof(KafkaEnvironment).Assembly;

        Assert.DoesNotContain(messaging.GetTypes(), t => t.Namespace?.Contains("Broker", StringComparison.Ordinal) == true || typeof(IInProcessBroker).IsAssignableFrom(t) && !t.IsInterface);
        Assert.Equal("MarketPulse.DevBroker", typeof(MockKafkaCluster).Assembly.GetName().Name);
    }

    /// <summary>The service and the projects it references, as the published service's dependency file lists them.</summary>
    private static IEnumerable<string> ServiceProjects()
    {
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "marketpulse.deps.json")));
        return deps.RootElement.GetProperty("libraries").EnumerateObject()
            .Where(l => l.Value.GetProperty("type").GetString() == "project")
            .Select(l => l.Name.Split('/')[0])
            .ToList();
    }
}
