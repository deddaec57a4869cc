using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace MarketPulse.Analysis.Dedup;

/// <summary>
/// Instruments of meter <c>MarketPulse.Dedup</c>. The check duration is tagged with the step (exact, near)
/// and the outcome; near checks with outcome original are the ones that inserted, so that series is the
/// insert latency and the duplicate series are pure look-ups.
/// </summary>
internal sealed class DedupMetrics : IDisposable
{
    public const string MeterName = "MarketPulse.Dedup";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _duration;
    private readonly Histogram<int> _candidates;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _originals;
    private readonly Counter<long> _failures;
    private readonly ConcurrentDictionary<string, long> _sizes = new(StringComparer.Ordinal);

    public DedupMetrics(IMeterFactory? factory)
    {
        _ownsMeter = factory is null;
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _duration = _meter.CreateHistogram<double>("marketpulse.dedup.check.duration", "ms",
            "Time of one dedup check (Redis round trip included)");
        _candidates = _meter.CreateHistogram<int>("marketpulse.dedup.candidates", "{vector}",
            "LSH candidates re-ranked by exact cosine per near check");
        _duplicates = _meter.CreateCounter<long>("marketpulse.dedup.duplicates", "{item}", "Items found to be duplicates");
        _originals = _meter.CreateCounter<long>("marketpulse.dedup.originals", "{item}", "Items indexed as originals");
        _failures = _meter.CreateCounter<long>("marketpulse.dedup.failures", "{call}", "Checks that threw (Redis unavailable)");
        _meter.CreateObservableGauge("marketpulse.dedup.index.size", ObserveSizes, "{vector}",
            "Vectors in the index per model, as of the latest check");
    }

    public void Checked(string step, DedupOutcome outcome, double milliseconds)
    {
        var outcomeTag = new KeyValuePair<string, object?>("dedup.outcome", OutcomeName(outcome));
        var stepTag = new KeyValuePair<string, object?>("dedup.step", step);
        _duration.Record(milliseconds, stepTag, outcomeTag);
        if (outcome == DedupOutcome.Original)
        {
            if (step == "near")
            {
                _originals.Add(1);
            }
        }
        else
        {
            _duplicates.Add(1, outcomeTag);
        }
    }

    public void Candidates(int count) => _candidates.Record(count);

    public void Failed(string step) => _failures.Add(1, new KeyValuePair<string, object?>("dedup.step", step));

    public void IndexSize(string modelId, long size) => _sizes[modelId] = size;

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private IEnumerable<Measurement<long>> ObserveSizes() =>
        _sizes.Select(kv => new Measurement<long>(kv.Value, new KeyValuePair<string, object?>("dedup.model", kv.Key)));

    private static string OutcomeName(DedupOutcome outcome) => outcome switch
    {
        DedupOutcome.ExactDuplicate => "exact_duplicate",
        DedupOutcome.NearDuplicate => "near_duplicate",
        _ => "original",
    };
}
