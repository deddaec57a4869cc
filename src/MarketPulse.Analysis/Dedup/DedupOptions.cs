using System.ComponentModel.DataAnnotations;

namespace MarketPulse.Analysis.Dedup;

/// <summary>
/// Settings of the duplicate index (configuration section <c>Dedup</c>). Every worker that shares an index
/// must use the same <see cref="Bands"/>, <see cref="RowsPerBand"/>, <see cref="Seed"/>, <see cref="Window"/>,
/// <see cref="BucketsPerWindow"/> and <see cref="MaxVectors"/>: they fix the key layout (a worker with other
/// values writes to other band keys and does not see the others' items).
/// </summary>
public sealed class DedupOptions
{
    public const string SectionName = "Dedup";

    /// <summary>Cosine similarity at or above which an item is a near duplicate.</summary>
    [Range(0.5, 1.0)]
    public double Threshold { get; set; } = 0.95;

    /// <summary>How long an item stays in the index; older items are neither matched nor kept.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(72);

    /// <summary>
    /// The window is cut into this many time buckets of band keys, each expiring as a whole. A check reads
    /// BucketsPerWindow + 1 buckets (Bands reads each); band entries outlive their items by up to one bucket.
    /// </summary>
    [Range(1, 48)]
    public int BucketsPerWindow { get; set; } = 2;

    /// <summary>Cap on stored vectors per model; the oldest are evicted first.</summary>
    [Range(1, 100_000_000)]
    public int MaxVectors { get; set; } = 2_000_000;

    /// <summary>Prefix of every key; the model id is appended inside a hash tag.</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^[^{}]{1,100}$", ErrorMessage = "must be 1 to 100 characters without '{{' or '}}' (the index adds its own hash tag).")]
    public string KeyPrefix { get; set; } = "mp:dedup";

    /// <summary>Number of LSH bands (each band is one lookup per time bucket).</summary>
    /// <remarks>
    /// 60 × 24 finds a pair at cosine 0.95 with probability 99.2 % (0.955: 99.6 %) and lets a random pair
    /// through with probability ≈ 5·10⁻⁶, about 5 candidates to re-rank in a million items; 40 × 20 finds
    /// 99.4 % but yields ≈ 47 candidates, which made the Lua re-rank the cost of a check (docs/benchmarks-dedup.md).
    /// </remarks>
    [Range(1, 512)]
    public int Bands { get; set; } = 60;

    /// <summary>Hyperplane bits per band.</summary>
    [Range(1, 32)]
    public int RowsPerBand { get; set; } = 24;

    /// <summary>Seed of the hyperplanes; changing it changes every signature.</summary>
    public long Seed { get; set; } = 0x4D50_4445_4455_50;

    /// <summary>Most candidates re-ranked by exact cosine per check, those sharing the most bands first.</summary>
    [Range(1, 10_000)]
    public int MaxCandidates { get; set; } = 200;
}
