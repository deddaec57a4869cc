using System.Text.Json;
using CsCheck;
using MarketPulse.Webhooks;
using Xunit.Abstractions;

namespace MarketPulse.Tests.Webhooks;

/// <summary>
/// Every normaliser is total over its input: a mutated sample either yields items and per-item errors that
/// name a field, or a <see cref="PayloadShapeException"/> (422); never another exception (a 500).
/// </summary>
public sealed class NormalizerTotalityTests(ITestOutputHelper output)
{
    public const int Payloads = 10_000;

    [Theory]
    [MemberData(nameof(PayloadMutations.Sources), MemberType = typeof(PayloadMutations))]
    public void Mutated_samples_never_throw_anything_but_a_shape_error(string source)
    {
        var normalizer = SourceNormalizers.All[source];
        var outcomes = new int[5];
        PayloadMutations.Of(PayloadMutations.SamplesOf(source)).Sample(json =>
        {
            var outcome = Classify(normalizer, json);
            Interlocked.Increment(ref outcomes[(int)outcome]);
        }, iter: Payloads, threads: 1);

        output.WriteLine($"{source}: {Payloads} payloads: {outcomes[0]} not JSON (400), {outcomes[1]} refused whole (422), {outcomes[2]} with every item refused (422), {outcomes[3]} with items accepted, {outcomes[4]} acknowledged without items (200)");
        Assert.Equal(Payloads, outcomes.Sum());
    }

    private enum Outcome
    {
        NotJson,
        ShapeRefused,
        AllItemsRefused,
        Accepted,
        Acknowledged,
    }

    private static Outcome Classify(ISourceNormalizer normalizer, string json)
    {
        JsonDocument document;
        try
        {
            // The endpoint's parser settings: a JsonException is its 400.
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return Outcome.NotJson;
        }

        using (document)
        {
            NormalizeResult result;
            try
            {
                result = normalizer.Normalize(document.RootElement, Samples.ReceivedAt);
            }
            catch (PayloadShapeException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Field), json);
                return Outcome.ShapeRefused;
            }

            Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Field), json));
            var refused = result.Errors.Select(e => e.Index).ToHashSet();
            Assert.All(result.Items, i => Assert.DoesNotContain(i.Index, refused));
            return result.Items.Count > 0 ? Outcome.Accepted : result.Errors.Count > 0 ? Outcome.AllItemsRefused : Outcome.Acknowledged;
        }
    }
}
