using System.Security.Cryptography;
using MarketPulse.Hosting;
using MarketPulse.Webhooks;

namespace MarketPulse.Tools.Benchmarks;

/// <summary>
/// What <c>bench analyze</c> and <c>bench soak</c> set up alike: a run id, one webhook secret for every source, every
/// role hosted in this process with the embedded analyser and a near-duplicate index of the run's own (so earlier
/// runs' items are not this run's copies), a client for the service, and the run's generated headlines. Disposing
/// deletes that index and the service.
/// </summary>
internal sealed class PipelineBenchRun : IAsyncDisposable
{
    private readonly string _dedupPrefix;
    private WebApplication? _app;
    private HttpClient? _client;
    private bool _stopped;

    /// <param name="kind">The run id's prefix (<c>abench</c>, <c>soak</c>); items are <c>&lt;run id&gt;-&lt;phase&gt;-n</c>.</param>
    public PipelineBenchRun(string kind)
    {
        RunId = $"{kind}-{DateTimeOffset.UtcNow:yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        Secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _dedupPrefix = "mp:bench:" + RunId;
        Texts = new AnalyzeBenchmark.Headlines(RunId, seed: RunId.GetHashCode(StringComparison.Ordinal));
    }

    public string RunId { get; }

    public string Secret { get; }

    public AnalyzeBenchmark.Headlines Texts { get; }

    public WebApplication App => _app ?? throw new InvalidOperationException("The service has not been started.");

    public HttpClient Client => _client ?? throw new InvalidOperationException("The service has not been started.");

    /// <summary>Builds and starts the service (every role, embedded analyser) with <paramref name="configuration"/>'s settings.</summary>
    public async Task StartAsync(string[] configuration, CancellationToken cancellationToken)
    {
        var secrets = SourceNormalizers.All.Keys.ToDictionary(s => s, _ => Secret, StringComparer.Ordinal);
        _app = IngestBenchmark.BuildApp(HostTarget.All, [.. configuration, "--Analysis:Analyzer=embedded", $"--Dedup:KeyPrefix={_dedupPrefix}"], secrets);
        await _app.StartAsync(cancellationToken);
        _client = new HttpClient { BaseAddress = IngestBenchmark.Address(_app) };
    }

    /// <summary>Posts <paramref name="items"/> as one signed news request; false when it was refused or failed.</summary>
    public Task<bool> PostAsync(IReadOnlyList<(string Id, string Title, string Summary)> items, CancellationToken cancellationToken) =>
        AnalyzeBenchmark.PostAsync(Client, Secret, items, cancellationToken);

    /// <summary>A graceful stop, as Ctrl-C would: the worker commits and leaves the group before the broker goes.</summary>
    public async Task StopAsync()
    {
        await App.StopAsync(CancellationToken.None);
        _stopped = true;
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_app is null)
        {
            return;
        }

        if (!_stopped)
        {
            await _app.StopAsync(CancellationToken.None);
        }

        await AnalyzeBenchmark.DeleteKeysAsync(_app.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(), _dedupPrefix);
        await _app.DisposeAsync();
    }
}
