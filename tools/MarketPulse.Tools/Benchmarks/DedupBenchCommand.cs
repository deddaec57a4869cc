using System.CommandLine;
using MarketPulse.Analysis.Dedup;
using MarketPulse.Cli;
using MarketPulse.Hosting;
using StackExchange.Redis;

namespace MarketPulse.Tools.Benchmarks;

/// <summary>
/// <c>marketpulse bench dedup [--vectors 1000000] [--queries 10000]</c>: the near-duplicate index against the
/// configured Redis, with synthetic unit vectors and planted near copies (see <see cref="DedupBenchmark"/>).
/// Its keys live under a prefix of their own and are deleted at the end.
/// </summary>
internal static class DedupBenchCommand
{
    public static Command Create(string[] configuration)
    {
        var vectors = CommandOptions.WholeNumber("--vectors", "synthetic vectors loaded into the index", 1_000_000, 100, 20_000_000);
        var queries = CommandOptions.WholeNumber("--queries", "timed check-and-inserts", 10_000, 20, 1_000_000);
        var command = new Command("dedup", "near-duplicate check-and-insert against the configured Redis") { vectors, queries };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(vectors), parse.GetValue(queries), configuration, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int vectors, int queries, string[] configuration, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = configuration, ContentRootPath = AppContext.BaseDirectory });
        var redisOptions = builder.Configuration.GetSection(RedisOptions.Section).Get<RedisOptions>() ?? new RedisOptions();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(redisOptions.Parse());

        Console.WriteLine($"MarketPulse near-duplicate benchmark: {vectors:N0} vectors, {queries:N0} timed check-and-inserts; load average {IngestBenchmark.LoadAverage()}");
        var report = await DedupBenchmark.RunAsync(redis, vectors, queries, Console.Out, cancellationToken);
        Console.WriteLine();
        report.WriteMarkdown(Console.Out);
        return 0;
    }
}
