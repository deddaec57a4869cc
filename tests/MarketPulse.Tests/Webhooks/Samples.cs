using System.Text.Json;
using MarketPulse.Testing;
using MarketPulse.Webhooks;

namespace MarketPulse.Tests.Webhooks;

/// <summary>Loads the sample payloads from the source tree (the test project does not copy them to its output).</summary>
internal static class Samples
{
    /// <summary>The receive time every test uses; the samples are dated around it.</summary>
    public static readonly DateTimeOffset ReceivedAt = new(2024, 6, 12, 12, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<string> Folder = new(() => Path.Combine(TestStack.RepositoryRoot, "tests", "MarketPulse.Tests", "Webhooks", "Samples"));

    /// <summary>The names (without .json) of every sample file, sorted.</summary>
    public static IReadOnlyList<string> Names() =>
        [.. Directory.GetFiles(Folder.Value, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal)];

    public static string Text(string name) => File.ReadAllText(Path.Combine(Folder.Value, name + ".json"));

    public static NormalizeResult Normalize(ISourceNormalizer normalizer, string sample) => NormalizeJson(normalizer, Text(sample));

    public static NormalizeResult NormalizeJson(ISourceNormalizer normalizer, string json)
    {
        using var document = JsonDocument.Parse(json);
        return normalizer.Normalize(document.RootElement, ReceivedAt);
    }

    public static PayloadShapeException ShapeError(ISourceNormalizer normalizer, string json) =>
        Assert.Throws<PayloadShapeException>(() => NormalizeJson(normalizer, json));

    public static CanonicalItem Single(NormalizeResult result)
    {
        Assert.Empty(result.Errors);
        return Assert.Single(result.Items).Item;
    }

    public static CanonicalItem ById(NormalizeResult result, string externalId) =>
        result.Items.Single(i => i.Item.ExternalId == externalId).Item;
}
