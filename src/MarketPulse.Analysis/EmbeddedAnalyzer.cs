using MarketPulse.Analysis.AssetClasses;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Analysis.Entities;
using MarketPulse.Analysis.Sentiment;

namespace MarketPulse.Analysis;

/// <summary>
/// The analyser that needs no server: MiniLM embeddings and the sentiment model trained in this repository,
/// entities from the securities catalog and the trained tagger, and the asset-class rules. Every entity carries
/// its own label, score and confidence from the entity sentiment model (its context window and clause, with the
/// text's prediction as a feature: no second encoder pass); the text's when no such model is built in. The tagger
/// reads the encoder's output per word from the same pass (<see cref="AnalysisRequest.Tokens"/>).
/// </summary>
public sealed class EmbeddedAnalyzer(ITextEmbedder embedder, SentimentModel model, EntityExtractor extractor, EntitySentimentModel? entitySentiment = null) : ITextAnalyzer
{
    public const string AnalyzerName = "embedded";

    private readonly EntitySentimentModel? entitySentiment = entitySentiment ?? EntitySentimentModel.Shared;

    public string Name => AnalyzerName;


    public Task<IReadOnlyList<AnalysisResult>> AnalyzeAsync(IReadOnlyList<AnalysisRequest> requests, CancellationToken cancellationToken) =>
        Task.Run(() => Analyze(requests, cancellationToken), cancellationToken);

    private IReadOnlyList<AnalysisResult> Analyze(IReadOnlyList<AnalysisRequest> requests, CancellationToken cancellationToken)
    {
        var texts = requests.Select(r => r.Text).ToList();
        var embeddings = new float[requests.Count][];
        var tokens = requests.Select(r => r.Tokens).ToArray();
        var missing = Enumerable.Range(0, requests.Count).Where(i => requests[i].Embedding is not { Length: > 0 }).ToList();
        if (missing.Count > 0)
        {
            var (computed, states) = embedder.EmbedWithTokens(missing.Select(i => texts[i]).ToList(), cancellationToken);
            for (var k = 0; k < missing.Count; k++)
            {
                embeddings[missing[k]] = computed[k];
                tokens[missing[k]] = states[k];
            }
        }

        for (var i = 0; i < requests.Count; i++)
        {
            embeddings[i] ??= requests[i].Embedding!;
        }

        var predictions = model.Predict(texts, embeddings);
        var matches = texts.Select((t, i) => extractor.Extract(t, tokens[i])).ToList();

        var results = new AnalysisResult[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            var p = predictions[i];
            var text = texts[i];
            var found = matches[i];
            var entities = found.Select(m =>
            {
                if (entitySentiment is null)
                {
                    return m.Entity with { Sentiment = p.Label, Score = p.Score, Confidence = p.Confidence };
                }

                var others = found.Where(o => !ReferenceEquals(o, m)).Select(o => o.Start).ToList();
                var e = entitySentiment.Predict(text, m.Start, m.Length, p, others);
                return m.Entity with { Sentiment = e.Label, Score = e.Score, Confidence = e.Confidence };
            }).ToList();
            results[i] = new AnalysisResult(
                p.Label, p.Score, p.Confidence,
                AssetClassifier.Classify(texts[i], entities, requests[i].Source),
                entities, AnalyzerName, $"{embedder.ModelId}+sentiment-{model.Version}", "none");
        }

        return results;
    }
}
