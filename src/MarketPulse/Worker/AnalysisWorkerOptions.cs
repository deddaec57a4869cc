using System.ComponentModel.DataAnnotations;
using MarketPulse.Analysis.Embeddings;
using Microsoft.Extensions.Options;

namespace MarketPulse.Worker;

/// <summary>Settings of the analysis worker (section <c>Analysis</c>).</summary>
public sealed class AnalysisWorkerOptions
{
    public const string Section = "Analysis";

    /// <summary><c>embedded</c> or <c>ollama</c>; empty means ollama when <c>Ollama:Endpoint</c> is set, else embedded.</summary>
    [RegularExpression("^(embedded|ollama)?$", ErrorMessage = "must be 'embedded' or 'ollama'.")]
    public string? Analyzer { get; set; }

    /// <summary>Most messages taken from Kafka into one batch.</summary>
    [Range(1, 2000)]
    public int BatchSize { get; set; } = 128;

    /// <summary>How long the worker waits for a batch to fill once it has its first message.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Attempts at analysing one item before it goes to the dead-letter topic.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Pause before retrying after a dependency (database, Redis, analyser) failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Skip near-duplicate detection (exact copies are still caught).</summary>
    public bool DisableNearDuplicates { get; set; }

    /// <summary>
    /// <c>Int8</c> (default) runs MiniLM with int8 weight products, about twice as fast on these CPUs for a
    /// 0.13-point lower weighted F1; <c>Int8All</c> quantises the feed-forward output too (faster, a little less
    /// accurate on Indian headlines; docs/sentiment-model.md); <c>Float32</c> runs the model as shipped. Near-duplicates are only found
    /// among vectors of the same precision.
    /// </summary>
    [EnumDataType(typeof(EmbeddingPrecision))]
    public EmbeddingPrecision EmbeddingPrecision { get; set; } = EmbeddingPrecision.Int8;

    /// <summary>Folder of the securities reference lists (NSE, NIFTY, S&amp;P 500, Nasdaq); empty uses built-in names only.</summary>
    public string? SecuritiesFolder { get; set; }

    /// <summary>Alert rules.</summary>
    [Required]
    [ValidateObjectMembers]
    public AlertOptions Alerts { get; set; } = new();
}

/// <summary>When to raise an alert (section <c>Analysis:Alerts</c>).</summary>
public sealed class AlertOptions
{
    /// <summary>Symbols watched by the strongly-negative rule; empty watches every symbol.</summary>
    public List<string> WatchedSymbols { get; set; } = [];

    /// <summary>A bearish item with a score at or below this, about a watched symbol, raises an alert.</summary>
    [Range(-1.0, 0.0)]
    public double StrongNegativeScore { get; set; } = -0.6;

    /// <summary>Least confidence for the strongly-negative rule.</summary>
    [Range(0.0, 1.0)]
    public double MinConfidence { get; set; } = 0.6;

    /// <summary>Window of the sentiment-swing rule: the average of this window is compared with the one before.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan SwingWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Change of the average score between two windows that raises a swing alert.</summary>
    [Range(0.05, 2.0)]
    public double SwingThreshold { get; set; } = 0.5;

    /// <summary>Least items in each window before a swing is judged.</summary>
    [Range(1, 10_000)]
    public int SwingMinItems { get; set; } = 5;
}
