using MarketPulse.Webhooks.Sources;

namespace MarketPulse.Webhooks;

/// <summary>The normaliser of every source, by source name (the last segment of POST /webhooks/{source}).</summary>
public static class SourceNormalizers
{
    /// <summary>All normalisers; keys are compared ordinally, ignoring case.</summary>
    public static IReadOnlyDictionary<string, ISourceNormalizer> All { get; } =
        new ISourceNormalizer[]
        {
            new TrueDataNormalizer(),
            new NewsNormalizer(),
            new TwitterNormalizer(),
            new RedditNormalizer(),
            new EconomicNormalizer(),
        }.ToDictionary(n => n.Source, StringComparer.OrdinalIgnoreCase);

    /// <summary>The normaliser for <paramref name="source"/>, or null when there is none.</summary>
    public static ISourceNormalizer? Find(string source) =>
        All.TryGetValue(source, out var normalizer) ? normalizer : null;
}
