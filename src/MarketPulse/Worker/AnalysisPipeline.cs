using System.Diagnostics;
using System.Diagnostics.Metrics;
using MarketPulse.Analysis;
using MarketPulse.Analysis.Dedup;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Analysis.Ollama;
using MarketPulse.Messaging.Contracts;
using Microsoft.Extensions.Options;

namespace MarketPulse.Worker;

/// <summary>
/// What became of a batch, after it was stored (with its messages, in the analytics outbox): the analyses made,
/// duplicates, failures (for the dead-letter topic), the alerts newly raised, and how many items were already done.
/// </summary>
public sealed record BatchOutcome(
    IReadOnlyList<ItemAnalysis> Analyses,
    IReadOnlyList<ItemDuplicate> Duplicates,
    IReadOnlyList<ItemFailure> Failures,
    IReadOnlyList<AlertMessage> Alerts,
    int Skipped);

/// <summary>
/// Per batch: skip items already done (a redelivery), exact and near-duplicate checks, analysis with
/// per-item retries, then one transaction in the analytics database. Any other failure throws, and nothing of the
/// batch is stored: the caller retries the whole batch later when a dependency is down (database, Redis, an analyser
/// in wait mode), or halves it to isolate a poison item (<see cref="DependencyFailure"/>). An item whose answer
/// the analyser keeps rejecting is returned as a failure for the dead-letter topic.
/// </summary>
public sealed class AnalysisPipeline(
    ITextAnalyzer analyzer,
    DuplicateGate duplicates,
    AnalyticsStore store,
    IOptions<AnalysisWorkerOptions> options,
    TimeProvider time,
    WorkerMetrics metrics,
    ILogger<AnalysisPipeline> logger)
{
    public async Task<BatchOutcome> ProcessAsync(IReadOnlyList<ItemMessage> batch, bool reanalyze, CancellationToken cancellationToken)
    {
        var done = reanalyze ? [] : await store.AlreadyProcessedAsync(batch.Select(i => i.Id).ToList(), cancellationToken);
        var items = new List<ItemMessage>();
        var texts = new List<string>();
        var failures = new List<ItemFailure>();
        foreach (var item in batch.DistinctBy(i => i.Id))
        {
            if (done.Contains(item.Id))
            {
                continue;
            }

            var text = TextOf(item);
            if (text is null)
            {
                failures.Add(new ItemFailure(item, item.Key, 0, "no text to analyse (removed or empty content)"));
                continue;
            }

            items.Add(item);
            texts.Add(text);
        }

        var stages = Stopwatch.StartNew();
        var (decisions, embeddings, tokens) = items.Count == 0 ? ([], [], []) : await duplicates.CheckAsync(items, texts, cancellationToken);
        var dedupMs = stages.Elapsed.TotalMilliseconds;
        var found = new List<ItemDuplicate>();
        var toAnalyse = new List<int>();
        for (var i = 0; i < items.Count; i++)
        {
            var decision = decisions[i];
            if (decision.IsDuplicate && Guid.TryParse(decision.OriginalId, out var original) && original != items[i].Id)
            {
                found.Add(new ItemDuplicate(items[i], original, decision.Outcome == DedupOutcome.ExactDuplicate ? "exact" : "near", decision.Similarity));
            }
            else
            {
                toAnalyse.Add(i);
            }
        }

        stages.Restart();
        var results = await AnalyseAsync(toAnalyse.Select(i => (items[i], texts[i], embeddings[i], tokens[i])).ToList(), failures, cancellationToken);
        var analyseMs = stages.Elapsed.TotalMilliseconds;
        stages.Restart();
        var analyzedAt = time.GetUtcNow();
        var analyses = results.Select(r => new ItemAnalysis(r.Item, r.Result, SymbolsOf(r.Item, r.Result), analyzedAt)).ToList();

        var (inserted, alerts) = await store.SaveAsync(analyses, found, failures, options.Value.Alerts, cancellationToken);
        WorkerLog.BatchStages(logger, batch.Count, dedupMs, analyseMs, stages.Elapsed.TotalMilliseconds);
        foreach (var a in inserted)
        {
            metrics.Latency.Record(a.LatencyMs);
        }

        metrics.Analysed.Add(inserted.Count);
        metrics.Duplicates.Add(found.Count);
        metrics.Failed.Add(failures.Count);
        return new BatchOutcome(analyses, found, failures, alerts, batch.Count - items.Count - failures.Count(f => f.Attempts == 0));
    }

    private async Task<List<(ItemMessage Item, AnalysisResult Result)>> AnalyseAsync(
        List<(ItemMessage Item, string Text, float[]? Embedding, TokenStates? Tokens)> work, List<ItemFailure> failures, CancellationToken cancellationToken)
    {
        var results = new List<(ItemMessage, AnalysisResult)>();
        var attempts = new int[work.Count];
        var remaining = Enumerable.Range(0, work.Count).ToList();
        while (remaining.Count > 0)
        {
            var requests = remaining.Select(i => new AnalysisRequest(work[i].Text, work[i].Item.Source, work[i].Embedding, work[i].Tokens)).ToList();
            var watch = Stopwatch.StartNew();
            IReadOnlyList<AnalysisResult?> answers;
            string? error = null;
            var failedIndex = -1;
            try
            {
                answers = await analyzer.AnalyzeAsync(requests, cancellationToken);
            }
            catch (AnalysisFailedException e)
            {
                // One item's answer was unusable; keep the others' results and retry that item.
                answers = Enumerable.Range(0, requests.Count).Select(k => e.PartialResults.Count > k ? e.PartialResults[k] : null).ToList();
                failedIndex = e.RequestIndex;
                error = e.Reason;
            }

            metrics.AnalyserTime.Record(watch.Elapsed.TotalMilliseconds);
            var next = new List<int>();
            for (var k = 0; k < remaining.Count; k++)
            {
                var i = remaining[k];
                if (answers[k] is { } result)
                {
                    results.Add((work[i].Item, result));
                    continue;
                }

                if (k == failedIndex && ++attempts[i] >= options.Value.MaxAttempts)
                {
                    WorkerLog.ItemFailed(logger, work[i].Item.Key, attempts[i], error ?? "unknown");
                    failures.Add(new ItemFailure(work[i].Item, work[i].Item.Key, attempts[i], error ?? "analysis failed"));
                    continue;
                }

                next.Add(i);
            }

            remaining = next;
        }

        return results;
    }

    /// <summary>The text the analysers read: the item's text, or its title when it has no body.</summary>
    public static string? TextOf(ItemMessage item) =>
        !string.IsNullOrWhiteSpace(item.Text) ? item.Text : !string.IsNullOrWhiteSpace(item.Title) && item.Kind != "market_data" ? item.Title : null;

    /// <summary>Symbols of the item: those in its structured fields, then those the analyser found.</summary>
    public static IReadOnlyList<string> SymbolsOf(ItemMessage item, AnalysisResult result) =>
        item.Symbols.Concat(result.Entities.Where(e => e.Symbol is not null && e.Type is not (EntityType.Person or EntityType.Country)).Select(e => e.Symbol!))
            .Select(s => s.Trim().TrimStart('$').ToUpperInvariant())
            .Where(s => s.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
}

/// <summary>Worker metrics (meter <c>MarketPulse.Analysis</c>).</summary>
public sealed class WorkerMetrics
{
    public const string MeterName = "MarketPulse.Analysis";

    public WorkerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        Latency = meter.CreateHistogram<double>("marketpulse.analysis.latency", "ms", "From webhook accepted to analytics row");
        AnalyserTime = meter.CreateHistogram<double>("marketpulse.analysis.analyser.duration", "ms", "Time the analyser took for a batch");
        Analysed = meter.CreateCounter<long>("marketpulse.analysis.items.analysed", "{item}");
        Duplicates = meter.CreateCounter<long>("marketpulse.analysis.items.duplicates", "{item}");
        Failed = meter.CreateCounter<long>("marketpulse.analysis.items.failed", "{item}");
        Published = meter.CreateCounter<long>("marketpulse.results_outbox.published", "{message}", "Result and alert messages published to Kafka");
        meter.CreateObservableGauge("marketpulse.results_outbox.backlog", () => Interlocked.Read(ref OutboxBacklog), "{row}", "Result and alert messages waiting to be published");
        DeadLettered = meter.CreateCounter<long>("marketpulse.results_outbox.dead_lettered", "{row}", "Result and alert messages set aside as unpublishable");
        meter.CreateObservableGauge("marketpulse.results_outbox.dead_letters", () => Interlocked.Read(ref OutboxDeadLetters), "{row}", "Rows in the analytics outbox_dead_letters");
    }

    public long OutboxBacklog;

    public long OutboxDeadLetters;

    public Counter<long> DeadLettered { get; }

    public Counter<long> Published { get; }

    public Histogram<double> Latency { get; }

    public Histogram<double> AnalyserTime { get; }

    public Counter<long> Analysed { get; }

    public Counter<long> Duplicates { get; }

    public Counter<long> Failed { get; }
}
