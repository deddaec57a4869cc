using MarketPulse.Analysis.AssetClasses;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Analysis.Entities;
using MarketPulse.Analysis.Sentiment;

namespace MarketPulse.Analysis;

/// <summary>
/// The analyser that needs no server: MiniLM embeddings and the sentiment model trained in this repository,
/// entities from the securities catalog and the trained tagger, and the asset-class rules. Every entity carries
/// its own label, score and confidence: the clause that names it when a text has several clauses and several
/// entities, else the text's.
/// </summary>
public sealed class EmbeddedAnalyzer(ITextEmbedder embedder, SentimentModel model, EntityExtractor extractor) : ITextAnalyzer
{
    public const string AnalyzerName = "embedded";

    private static readonly char[] ClauseBreaks = [';', '.', '!', '?', '|', '\n'];

    public string Name => AnalyzerName;


    public Task<IReadOnlyList<AnalysisResult>> AnalyzeAsync(IReadOnlyList<AnalysisRequest> requests, CancellationToken cancellationToken) =>
        Task.Run(() => Analyze(requests, cancellationToken), cancellationToken);

    private IReadOnlyList<AnalysisResult> Analyze(IReadOnlyList<AnalysisRequest> requests, CancellationToken cancellationToken)
    {
        var texts = requests.Select(r => r.Text).ToList();
        var embeddings = new float[requests.Count][];
        var missing = Enumerable.Range(0, requests.Count).Where(i => requests[i].Embedding is not { Length: > 0 }).ToList();
        if (missing.Count > 0)
        {
            var computed = embedder.Embed(missing.Select(i => texts[i]).ToList(), cancellationToken);
            for (var k = 0; k < missing.Count; k++)
            {
                embeddings[missing[k]] = computed[k];
            }
        }

        for (var i = 0; i < requests.Count; i++)
        {
            embeddings[i] ??= requests[i].Embedding!;
        }

        var predictions = model.Predict(texts, embeddings);
        var matches = texts.Select(extractor.Extract).ToList();

        // Clause-level sentiment when a text names several entities in different clauses ("X beats; Y misses"):
        // only those clauses are embedded again. Countries and people carry no sentiment of their own here.
        var clauseTexts = new List<string>();
        var clauseOf = new Dictionary<(int Item, int Start), int>();
        for (var i = 0; i < texts.Count; i++)
        {
            var bearing = matches[i].Where(m => m.Entity.Type is not (EntityType.Country or EntityType.Person)).ToList();
            if (bearing.Count < 2)
            {
                continue;
            }

            var clauses = Clauses(texts[i]);
            var used = clauses.Where(c => bearing.Any(m => ClauseStartOf(clauses, m.Start) == c.Start)).ToList();
            if (used.Count < 2)
            {
                continue;
            }

            foreach (var (start, length) in used)
            {
                clauseOf[(i, start)] = clauseTexts.Count;
                clauseTexts.Add(texts[i].Substring(start, length));
            }
        }

        var clausePredictions = clauseTexts.Count == 0 ? [] : model.Predict(clauseTexts, embedder.Embed(clauseTexts, cancellationToken));

        var results = new AnalysisResult[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            var clauses = clauseOf.Keys.Any(k => k.Item == i) ? Clauses(texts[i]) : [];
            var p = predictions[i];
            var entities = matches[i].Select(m =>
            {
                if (clauses.Count == 0 || m.Entity.Type is EntityType.Country or EntityType.Person
                    || !clauseOf.TryGetValue((i, ClauseStartOf(clauses, m.Start)), out var clause))
                {
                    return m.Entity with { Sentiment = p.Label, Score = p.Score, Confidence = p.Confidence };
                }

                var c = clausePredictions[clause];
                return m.Entity with { Sentiment = c.Label, Score = c.Score, Confidence = c.Confidence };
            }).ToList();
            results[i] = new AnalysisResult(
                p.Label, p.Score, p.Confidence,
                AssetClassifier.Classify(texts[i], entities, requests[i].Source),
                entities, AnalyzerName, $"{embedder.ModelId}+sentiment-{model.Version}", "none");
        }

        return results;
    }

    private static int ClauseStartOf(List<(int Start, int Length)> clauses, int position) =>
        clauses.Last(c => c.Start <= position).Start;

    /// <summary>Clauses of at least a few words, as (start, length); the first starts at 0.</summary>
    private static List<(int Start, int Length)> Clauses(string text)
    {
        var clauses = new List<(int, int)>();
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            var end = i == text.Length || (Array.IndexOf(ClauseBreaks, text[i]) >= 0 && (text[i] != '.' || i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])));
            if (!end)
            {
                continue;
            }

            if (text.AsSpan(start, i - start).Trim().Length >= 12)
            {
                clauses.Add((start, i - start));
            }
            else if (clauses.Count > 0)
            {
                var (s, _) = clauses[^1];
                clauses[^1] = (s, i - s);
            }

            start = i + 1;
        }

        if (clauses.Count > 0 && clauses[0].Item1 != 0)
        {
            clauses[0] = (0, clauses[0].Item1 + clauses[0].Item2);
        }

        return clauses;
    }
}
