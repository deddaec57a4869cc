using MarketPulse.Tools.Benchmarks;
using MarketPulse.Tools.Cli;

namespace MarketPulse.Tools.Tests.Benchmarks;

/// <summary>The soak command's options and the slope it reports.</summary>
public sealed class SoakBenchmarkTests
{
    [Fact]
    public void Soak_takes_minutes_rate_and_sample_interval_and_refuses_zero_minutes()
    {
        var ok = ToolsCommandLine.Build([]).Parse(["bench", "soak", "--minutes", "2", "--rate", "50", "--sample-seconds", "5"]);
        var bad = ToolsCommandLine.Build([]).Parse(["bench", "soak", "--minutes", "0"]);

        Assert.Empty(ok.Errors);
        Assert.Equal(2, ok.GetValue<int>("--minutes"));
        Assert.Equal(50, ok.GetValue<int>("--rate"));
        Assert.Contains(bad.Errors, e => e.Message.Contains("--minutes", StringComparison.Ordinal));
    }

    [Fact]
    public void Slope_is_the_least_squares_growth_per_hour()
    {
        // 30 MiB an hour plus a saw-tooth that a fit must average out; threads flat.
        var samples = Enumerable.Range(0, 60).Select(i => new SoakBenchmark.Sample(
            TimeSpan.FromMinutes(i), 0, 0, 400 + (0.5 * i) + (i % 2 == 0 ? 3 : -3), 100, 40, 120)).ToList();

        Assert.InRange(SoakBenchmark.Slope(samples, s => s.WorkingSetMiB), 29, 31);
        Assert.Equal(0, SoakBenchmark.Slope(samples, s => s.Threads), 6);
        Assert.Equal(0, SoakBenchmark.Slope(samples[..1], s => s.WorkingSetMiB));
    }
}
