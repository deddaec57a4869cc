using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MarketPulse.Cli;
using MarketPulse.Storage;
using Npgsql;

namespace MarketPulse.Tools.Benchmarks;

/// <summary>
/// <c>marketpulse bench soak [--minutes 30] [--rate 100] [--sample-seconds 10]</c>: hosts every role in this process,
/// as <c>bench analyze</c> does, offers <c>--rate</c> signed news items a second for <c>--minutes</c>, and samples the
/// process's working set, managed heap, threads and open file descriptors. At the end it fits a least-squares line to
/// each over the run after its warm-up (the first fifth) and reports the slope per hour, the items lost (accepted
/// without an outcome) and the error and fatal log lines the run wrote to the logs database.
/// </summary>
internal static class SoakBenchmark
{
    /// <summary>Growth over the measured span that still counts as flat.</summary>
    private const double FlatMemoryShare = 0.10;
    private const double FlatThreads = 5;
    private const double FlatHandles = 20;

    public static Command Create(string[] configuration)
    {
        var minutes = CommandOptions.WholeNumber("--minutes", "minutes of offered load", 30, 1, 24 * 60);
        var rate = CommandOptions.WholeNumber("--rate", "items per second offered", 100, 1, 10_000);
        var sample = CommandOptions.WholeNumber("--sample-seconds", "seconds between samples", 10, 1, 600);
        var command = new Command("soak", "steady load for a long time: memory, threads and handles must stay flat, nothing lost, no errors") { minutes, rate, sample };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(minutes), parse.GetValue(rate), parse.GetValue(sample), configuration, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int minutes, int rate, int sampleSeconds, string[] configuration, CancellationToken cancellationToken)
    {
        await using var run = new PipelineBenchRun("soak");
        var runId = run.RunId;
        Console.WriteLine($"MarketPulse soak {runId}: {rate} items/s offered for {minutes} min, a sample every {sampleSeconds} s");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {IngestBenchmark.LoadAverage()}");

        var started = DateTimeOffset.UtcNow;
        await run.StartAsync(configuration, cancellationToken);
        var app = run.App;
        // The host takes SIGTERM (and Ctrl-C) for itself and begins to stop: the load stops with it and the report
        // covers what was measured until then.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
        var databases = app.Services.GetRequiredService<Databases>();
        var texts = run.Texts;
        var prefix = runId + "-o";

        var perTick = Math.Max(1, rate / 10);
        var tick = TimeSpan.FromSeconds((double)perTick / rate);
        var duration = TimeSpan.FromMinutes(minutes);
        var samples = new List<Sample>();
        var posts = new List<Task<bool>>();
        long offered = 0, failedRequests = 0;
        var watch = Stopwatch.StartNew();
        var next = TimeSpan.Zero;
        var nextSample = TimeSpan.Zero;
        Console.WriteLine($"{"min",6}{"offered",10}{"finished",10}{"backlog",9}{"ws MiB",8}{"heap MiB",9}{"threads",8}{"fds",6}{"failed",8}");
        while (watch.Elapsed < duration && !stop.IsCancellationRequested)
        {
            posts.Add(run.PostAsync(texts.Take(perTick), cancellationToken));
            offered += perTick;
            if (watch.Elapsed >= nextSample)
            {
                failedRequests += await CollectAsync(posts);
                var finished = await AnalyzeBenchmark.FinishedAsync(databases.Analytics, prefix, cancellationToken);
                var s = Sample.Take(watch.Elapsed, offered, finished);
                samples.Add(s);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{s.At.TotalMinutes,6:0.0}{s.Offered,10:N0}{s.Finished,10:N0}{s.Offered - s.Finished,9:N0}{s.WorkingSetMiB,8:0}{s.HeapMiB,9:0}{s.Threads,8}{s.Handles,6}{failedRequests * perTick,8:N0}"));
                nextSample += TimeSpan.FromSeconds(sampleSeconds);
            }

            next += tick;
            var wait = next - watch.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, stop.Token).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }

        var stoppedEarly = stop.IsCancellationRequested;
        if (stoppedEarly)
        {
            Console.WriteLine($"stopped after {watch.Elapsed.TotalMinutes:0.0} min by a signal: no drain, figures up to now");
        }

        failedRequests += await CollectAsync(posts, all: true);
        var accepted = offered - (failedRequests * perTick);
        var drain = Stopwatch.StartNew();
        long done;
        while ((done = await AnalyzeBenchmark.FinishedAsync(databases.Analytics, prefix, cancellationToken)) < accepted && !stoppedEarly && drain.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(200, cancellationToken);
        }

        var errorLines = await ErrorLinesAsync(databases.Logs, started, cancellationToken);
        Console.WriteLine();
        Console.WriteLine($"offered {offered:N0} items; accepted {accepted:N0}; finished (analysed or duplicate) {done:N0} after a drain of {drain.Elapsed.TotalSeconds:0} s; {(stoppedEarly ? "without an outcome yet" : "lost")} {accepted - done:N0}; failed requests {failedRequests:N0}");
        Console.WriteLine($"error and fatal log lines in the logs database during the run: {errorLines:N0}");

        var measured = samples.Where(s => s.At >= duration / 5).ToList();
        var hours = measured.Count > 1 ? (measured[^1].At - measured[0].At).TotalHours : 0;
        var ws = Slope(measured, s => s.WorkingSetMiB);
        var heap = Slope(measured, s => s.HeapMiB);
        var threads = Slope(measured, s => s.Threads);
        var handles = Slope(measured, s => s.Handles);
        var backlog = Slope(measured, s => s.Offered - s.Finished);
        Console.WriteLine($"after the warm-up ({measured.Count} samples over {hours * 60:0.0} min), least-squares slope per hour and range:");
        Print("working set MiB", ws, measured.Select(s => s.WorkingSetMiB));
        Print("managed heap MiB", heap, measured.Select(s => s.HeapMiB));
        Print("threads", threads, measured.Select(s => (double)s.Threads));
        Print("open fds", handles, measured.Select(s => (double)s.Handles));
        Print("backlog items", backlog, measured.Select(s => (double)(s.Offered - s.Finished)));

        var meanWs = measured.Count > 0 ? measured.Average(s => s.WorkingSetMiB) : 0;
        var flat = measured.Count > 2
            && ws * hours < FlatMemoryShare * meanWs
            && threads * hours < FlatThreads
            && handles * hours < FlatHandles;
        var ok = !stoppedEarly && flat && accepted == done && failedRequests == 0 && errorLines == 0;
        Console.WriteLine($"flat (fitted growth over the span under {FlatMemoryShare:P0} of the mean working set, {FlatThreads} threads, {FlatHandles} fds): {(flat ? "yes" : "no")}; " +
                          $"nothing lost, no failed request, no error line: {(accepted == done && failedRequests == 0 && errorLines == 0 ? "yes" : "no")}");
        Console.WriteLine($"load average after: {IngestBenchmark.LoadAverage()}");

        await run.StopAsync();
        return ok ? 0 : 1;
    }

    /// <summary>Removes finished posts from the list and returns how many of them failed; with <paramref name="all"/> waits for the rest.</summary>
    private static async Task<long> CollectAsync(List<Task<bool>> posts, bool all = false)
    {
        if (all)
        {
            await Task.WhenAll(posts);
        }

        var done = posts.Where(p => p.IsCompleted).ToList();
        posts.RemoveAll(p => p.IsCompleted);
        return (await Task.WhenAll(done)).Count(ok => !ok);
    }

    private static async Task<long> ErrorLinesAsync(NpgsqlDataSource logs, DateTimeOffset since, CancellationToken cancellationToken)
    {
        // The sink writes in the background; its last batch is flushed when the host stops, so this undercounts by
        // at most that batch. The run's own lines only: the logs table holds every component's lines.
        await using var command = logs.CreateCommand("SELECT count(*) FROM logs WHERE ts >= $1 AND level IN ('ERROR', 'FATAL')");
        command.Parameters.AddWithValue(since);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Least-squares slope of <paramref name="value"/> against time, per hour.</summary>
    internal static double Slope(IReadOnlyList<Sample> samples, Func<Sample, double> value)
    {
        if (samples.Count < 2)
        {
            return 0;
        }

        var xs = samples.Select(s => s.At.TotalHours).ToArray();
        var ys = samples.Select(value).ToArray();
        var mx = xs.Average();
        var my = ys.Average();
        var sxx = xs.Sum(x => (x - mx) * (x - mx));
        return sxx == 0 ? 0 : xs.Zip(ys, (x, y) => (x - mx) * (y - my)).Sum() / sxx;
    }

    private static void Print(string name, double slope, IEnumerable<double> values)
    {
        var list = values.ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-18}{slope,12:+0.0;-0.0;0.0} /h   first {(list.Count > 0 ? list[0] : 0),8:0}  last {(list.Count > 0 ? list[^1] : 0),8:0}  max {(list.Count > 0 ? list.Max() : 0),8:0}"));
    }

    internal sealed record Sample(TimeSpan At, long Offered, long Finished, double WorkingSetMiB, double HeapMiB, int Threads, int Handles)
    {
        public static Sample Take(TimeSpan at, long offered, long finished)
        {
            using var process = Process.GetCurrentProcess();
            return new Sample(at, offered, finished, process.WorkingSet64 / (1024.0 * 1024), GC.GetTotalMemory(false) / (1024.0 * 1024), process.Threads.Count, OpenHandles(process));
        }

        private static int OpenHandles(Process process)
        {
            try
            {
                return Directory.GetFileSystemEntries("/proc/self/fd").Length;
            }
            catch (IOException)
            {
                return process.HandleCount;
            }
            catch (UnauthorizedAccessException)
            {
                return process.HandleCount;
            }
        }
    }
}
