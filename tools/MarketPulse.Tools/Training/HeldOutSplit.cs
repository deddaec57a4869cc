using System.Text;

namespace MarketPulse.Tools.Training;

/// <summary>
/// The held-out part of every training file: about <see cref="Percent"/> % of the rows, chosen by a stable hash of
/// each row's key (the SEntFiN id, the TFNS text) salted with a fixed seed. It depends on nothing but the key, so
/// train and eval agree on it across runs, machines and file orders, and repeated texts fall on the same side.
/// </summary>
public static class HeldOutSplit
{
    /// <summary>Share of the rows held out, in percent.</summary>
    public const int Percent = 10;

    private const string Seed = "marketpulse-heldout-1";

    /// <summary>Whether the row with this key belongs to the held-out part.</summary>
    public static bool IsHeldOut(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Hash(Seed + "\u0001" + key.Trim()) % 100 < Percent;
    }

    /// <summary>A stable bucket in [0, <paramref name="buckets"/>) for <paramref name="key"/>, independent of the held-out split for another <paramref name="salt"/>.</summary>
    public static int Bucket(string salt, string key, int buckets)
    {
        ArgumentNullException.ThrowIfNull(salt);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        return (int)(Hash(salt + "\u0001" + key.Trim()) % (ulong)buckets);
    }

    /// <summary>Whether a row with this key is used under <paramref name="split"/>.</summary>
    public static bool Includes(DataSplit split, string key) => split switch
    {
        DataSplit.All => true,
        DataSplit.Train => !IsHeldOut(key),
        DataSplit.HeldOut => IsHeldOut(key),
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, null),
    };

    // FNV-1a over UTF-8 with a final avalanche (splitmix64), so the low digits are well mixed.
    private static ulong Hash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9UL;
        hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EBUL;
        return hash ^ (hash >> 31);
    }
}
