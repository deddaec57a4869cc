namespace MarketPulse.Tests.Ingestion;

/// <summary>One ingest application shared by the tests of a class (they run one after another).</summary>
public abstract class HarnessFixture : IAsyncLifetime
{
    private IngestHarness? _harness;

    internal IngestHarness Harness => _harness ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _harness = await StartAsync();

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }

    private protected virtual Task<IngestHarness> StartAsync() => IngestHarness.StartAsync();
}

/// <summary>A secret for every source, default limits.</summary>
public sealed class IngestAppFixture : HarnessFixture;
