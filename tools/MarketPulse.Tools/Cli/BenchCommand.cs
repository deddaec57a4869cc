using System.CommandLine;
using MarketPulse.Tools.Benchmarks;

namespace MarketPulse.Tools.Cli;

/// <summary><c>marketpulse bench &lt;name&gt; [options]</c>: measures one part of the pipeline on this machine.</summary>
internal static class BenchCommand
{
    public static Command Create(string[] configuration) => new("bench", "measure a part of the pipeline on this machine: bench ingest|dedup|analyze|soak|dashboard|grafana")
    {
        IngestBenchmark.Create(configuration),
        DedupBenchCommand.Create(configuration),
        AnalyzeBenchmark.Create(configuration),
        SoakBenchmark.Create(configuration),
        DashboardBenchCommand.Create(configuration),
        GrafanaBenchCommand.Create(configuration),
    };
}
