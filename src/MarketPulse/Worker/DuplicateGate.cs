using System.Text.RegularExpressions;
using MarketPulse.Analysis;
using MarketPulse.Analysis.Dedup;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Storage;
using Microsoft.Extensions.Options;

namespace MarketPulse.Worker;

/// <summary>
/// The duplicate checks of a batch: the exact check on the normalised text's hash for every item, then
/// (for the rest) MiniLM embeddings computed once and the near-duplicate check in Redis. The embeddings are
/// handed on to the embedded analyser, so each text is embedded once. Short texts that differ only in their
/// ticker embed very close together, so a near match stands only when both texts name the same cashtags:
/// "$AAPL cut to neutral" does not repeat "$MSFT cut to neutral".
/// </summary>
public sealed partial class DuplicateGate(NearDuplicateIndex index, ITextEmbedder embedder, Databases databases, IOptions<AnalysisWorkerOptions> options)
{
    /// <summary>
    /// Each item's decision and, for those not exact duplicates, its vector and token states from the one encoder pass
    /// that serves dedup, sentiment and the entity tagger.
    /// </summary>
    public async Task<(DedupDecision[] Decisions, float[]?[] Embeddings, TokenStates?[] Tokens)> CheckAsync(IReadOnlyList<ItemMessage> items, IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var decisions = await Task.WhenAll(items.Select((item, i) =>
            index.CheckExactAsync(item.Id.ToString(), TextFingerprint.Hash(texts[i]), cancellationToken)));

        var embeddings = new float[]?[items.Count];
        var tokens = new TokenStates?[items.Count];
        var pending = Enumerable.Range(0, items.Count).Where(i => !decisions[i].IsDuplicate).ToList();
        if (pending.Count == 0)
        {
            return (decisions, embeddings, tokens);
        }

        var (vectors, states) = await Task.Run(() => embedder.EmbedWithTokens(pending.Select(i => texts[i]).ToList(), cancellationToken), cancellationToken);
        for (var k = 0; k < pending.Count; k++)
        {
            embeddings[pending[k]] = vectors[k];
            tokens[pending[k]] = states[k];
        }

        if (options.Value.DisableNearDuplicates)
        {
            return (decisions, embeddings, tokens);
        }

        // One at a time, in batch order: two copies in one batch give one original and one duplicate,
        // and which one is the original does not depend on timing.
        var near = new List<int>();
        foreach (var i in pending)
        {
            decisions[i] = await index.CheckNearAsync(items[i].Id.ToString(), embeddings[i]!, embedder.ModelId, cancellationToken);
            if (decisions[i].Outcome == DedupOutcome.NearDuplicate)
            {
                near.Add(i);
            }
        }

        if (near.Count > 0)
        {
            var originals = await OriginalTextsAsync(near.Select(i => decisions[i].OriginalId).OfType<string>(), cancellationToken);
            foreach (var i in near)
            {
                var same = decisions[i].OriginalId is { } id && originals.TryGetValue(id, out var originalText)
                    ? Cashtags(originalText).SetEquals(Cashtags(texts[i]))
                    : Cashtags(texts[i]).Count == 0;
                if (!same)
                {
                    decisions[i] = new DedupDecision(DedupOutcome.Original, null, decisions[i].Similarity);
                }
            }
        }

        return (decisions, embeddings, tokens);
    }

    private async Task<Dictionary<string, string>> OriginalTextsAsync(IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var guids = ids.Select(id => Guid.TryParse(id, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).Distinct().ToArray();
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var command = databases.Raw.CreateCommand("SELECT id, coalesce(text, title, '') FROM raw_items WHERE id = ANY($1)");
        command.Parameters.AddWithValue(guids);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            texts[reader.GetGuid(0).ToString()] = reader.GetString(1);
        }

        return texts;
    }

    private static HashSet<string> Cashtags(string text) =>
        CashtagPattern().Matches(text).Select(m => m.Value.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"\$[A-Za-z][A-Za-z0-9._]{0,11}", RegexOptions.CultureInvariant)]
    private static partial Regex CashtagPattern();
}
