using MarketPulse.Analysis.Dedup;
using MarketPulse.Cli;
using MarketPulse.Hosting;
using StackExchange.Redis;

namespace MarketPulse.Benchmarks;

/// <summary>
/// <c>marketpulse bench dedup [--vectors 1000000] [--queries 10000]</c>: the near-duplicate index against the
/// configured Redis, with synthetic unit vectors and planted near copies (see <see cref="DedupBenchmark"/>).
/// Its keys live under a prefix of their own and are deleted at the end.
/// </summary>
internal static class DedupBenchCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = new CommandArgs(args, "vectors", "queries");
        var vectors = options.GetInt("vectors", 1_000_000, 100, 20_000_000);
        var queries = options.GetInt("queries", 10_000, 20, 1_000_000);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = options.ConfigurationArgs, ContentRootPath = AppContext.BaseDirectory });
        var redisOptions = builder.Configuration.GetSection(RedisOptions.Section).Get<RedisOptions>() ?? new RedisOptions();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(redisOptions.Parse());

        Console.WriteLine($"MarketPulse near-duplicate benchmark: {vectors:N0} vectors, {queries:N0} timed check-and-inserts; load average {IngestBenchmark.LoadAverage()}");
        var report = await DedupBenchmark.RunAsync(redis, vectors, queries, Console.Out, cancellationToken);
        Console.WriteLine();
        report.WriteMarkdown(Console.Out);
        return 0;
    }
}
