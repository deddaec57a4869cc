using MarketPulse.Benchmarks;

namespace MarketPulse.Cli;

/// <summary><c>marketpulse bench &lt;name&gt; [options]</c>: measures one part of the pipeline on this machine.</summary>
internal static class BenchCommand
{
    private static readonly Dictionary<string, (string Summary, Func<string[], CancellationToken, Task<int>> Run)> Benchmarks = new(StringComparer.Ordinal)
    {
        ["ingest"] = ("signed webhooks of all sources over HTTP into the raw database, outbox to Kafka: [--seconds 60] [--concurrency 32] [--batch 10] [--warmup 15]", IngestBenchmark.RunAsync),
        ["dedup"] = ("near-duplicate check-and-insert against the configured Redis: [--vectors 1000000] [--queries 10000]", DedupBenchCommand.RunAsync),
        ["analyze"] = ("webhook to analytics row with the embedded analyser: [--seconds 30] [--rate 100] [--burst 3000]", AnalyzeBenchmark.RunAsync),
    };

    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || !Benchmarks.TryGetValue(args[0], out var benchmark))
        {
            var known = string.Join(Environment.NewLine, Benchmarks.Select(b => $"  bench {b.Key,-8} {b.Value.Summary}"));
            throw new UsageException((args.Length == 0 ? "name a benchmark." : $"unknown benchmark '{args[0]}'.") + Environment.NewLine + known);
        }

        return benchmark.Run(args[1..], cancellationToken);
    }
}
