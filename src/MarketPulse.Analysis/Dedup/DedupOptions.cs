using Microsoft.Extensions.Options;

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
    public double Threshold { get; set; } = 0.95;

    /// <summary>How long an item stays in the index; older items are neither matched nor kept.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(72);

    /// <summary>
    /// The window is cut into this many time buckets of band keys, each expiring as a whole. A check reads
    /// BucketsPerWindow + 1 buckets (Bands reads each); band entries outlive their items by up to one bucket.
    /// </summary>
    public int BucketsPerWindow { get; set; } = 2;

    /// <summary>Cap on stored vectors per model; the oldest are evicted first.</summary>
    public int MaxVectors { get; set; } = 2_000_000;

    /// <summary>Prefix of every key; the model id is appended inside a hash tag.</summary>
    public string KeyPrefix { get; set; } = "mp:dedup";

    /// <summary>Number of LSH bands (each band is one lookup per time bucket).</summary>
    /// <remarks>
    /// 60 × 24 finds a pair at cosine 0.95 with probability 99.2 % (0.955: 99.6 %) and lets a random pair
    /// through with probability ≈ 5·10⁻⁶, about 5 candidates to re-rank in a million items; 40 × 20 finds
    /// 99.4 % but yields ≈ 47 candidates, which made the Lua re-rank the cost of a check (docs/benchmarks-dedup.md).
    /// </remarks>
    public int Bands { get; set; } = 60;

    /// <summary>Hyperplane bits per band.</summary>
    public int RowsPerBand { get; set; } = 24;

    /// <summary>Seed of the hyperplanes; changing it changes every signature.</summary>
    public long Seed { get; set; } = 0x4D50_4445_4455_50;

    /// <summary>Most candidates re-ranked by exact cosine per check, those sharing the most bands first.</summary>
    public int MaxCandidates { get; set; } = 200;
}

/// <summary>Range checks of <see cref="DedupOptions"/>, run at start by <c>ValidateOnStart</c>.</summary>
public sealed class DedupOptionsValidator : IValidateOptions<DedupOptions>
{
    public ValidateOptionsResult Validate(string? name, DedupOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Errors(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static IEnumerable<string> Errors(DedupOptions o)
    {
        if (!(o.Threshold is >= 0.5 and <= 1.0))
        {
            yield return $"Dedup:Threshold must be between 0.5 and 1.0 (cosine similarity); it is {o.Threshold}.";
        }

        if (o.Window < TimeSpan.FromSeconds(1) || o.Window > TimeSpan.FromDays(30))
        {
            yield return $"Dedup:Window must be between 00:00:01 and 30.00:00:00; it is {o.Window}.";
        }

        if (o.BucketsPerWindow is < 1 or > 48)
        {
            yield return $"Dedup:BucketsPerWindow must be between 1 and 48; it is {o.BucketsPerWindow}.";
        }

        if (o.MaxVectors is < 1 or > 100_000_000)
        {
            yield return $"Dedup:MaxVectors must be between 1 and 100000000; it is {o.MaxVectors}.";
        }

        if (string.IsNullOrWhiteSpace(o.KeyPrefix) || o.KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0 || o.KeyPrefix.Length > 100)
        {
            yield return "Dedup:KeyPrefix must be 1 to 100 characters without '{' or '}' (the index adds its own hash tag).";
        }

        if (o.Bands is < 1 or > 512)
        {
            yield return $"Dedup:Bands must be between 1 and 512; it is {o.Bands}.";
        }

        if (o.RowsPerBand is < 1 or > 32)
        {
            yield return $"Dedup:RowsPerBand must be between 1 and 32 (bits of one band value); it is {o.RowsPerBand}.";
        }

        if (o.MaxCandidates is < 1 or > 10_000)
        {
            yield return $"Dedup:MaxCandidates must be between 1 and 10000; it is {o.MaxCandidates}.";
        }
    }
}
