using System.Globalization;
using System.Text;
using MarketPulse.Analysis;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Analysis.Sentiment;

namespace MarketPulse.Tools.Training;

/// <summary>Entity-level agreement on SEntFiN headlines.</summary>
/// <param name="Entities">Entity labels scored.</param>
/// <param name="Found">Of those, the entities the analyser's extractor found in the headline.</param>
/// <param name="OwnSentiment">Of those found, the ones the analyser gave a sentiment of their own (the entity sentiment model).</param>
/// <param name="Accuracy">Each entity's label against the analyser's entity sentiment when it has one, else the headline's label.</param>
/// <param name="HeadlineAccuracy">Each entity's label against the headline's label.</param>
/// <param name="MixedEntities">Entity labels of headlines whose entities carry different labels.</param>
/// <param name="MixedAccuracy"><paramref name="Accuracy"/> over those alone.</param>
public sealed record EntityAccuracy(int Entities, int Found, int OwnSentiment, double Accuracy, double HeadlineAccuracy, int MixedEntities, double MixedAccuracy);

/// <summary>Scores the model on the rows of a file: sentence level for both forms, and for SEntFiN also entity level through <see cref="EmbeddedAnalyzer"/>.</summary>
public static class DataEvaluation
{
    private const int Batch = 256;

    /// <summary>Evaluates and returns the readable report.</summary>
    public static async Task<string> ReportAsync(LabeledData data, SentimentModel model, ITextEmbedder embedder, EmbeddedAnalyzer analyzer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(analyzer);
        var report = new StringBuilder();
        if (data.File.Form == DataForm.Tfns)
        {
            var embeddings = await SentimentTraining.EmbedAsync(data.Sentences.Select(d => d.Text).ToList(), embedder, TextWriter.Null, ct).ConfigureAwait(false);
            report.Append(SentimentTraining.Evaluate(data.Sentences, embeddings, model).Format());
            return report.ToString();
        }

        var results = new List<AnalysisResult>(data.Headlines.Count);
        for (var start = 0; start < data.Headlines.Count; start += Batch)
        {
            var requests = data.Headlines.Skip(start).Take(Batch).Select(h => new AnalysisRequest(h.Text)).ToList();
            results.AddRange(await analyzer.AnalyzeAsync(requests, ct).ConfigureAwait(false));
        }

        var single = Enumerable.Range(0, results.Count).Where(i => data.Headlines[i].SharedLabel is not null).ToList();
        report.AppendLine(CultureInfo.InvariantCulture, $"headlines whose entities share one label: {single.Count} of {results.Count}");
        report.Append(EvaluationReport.Create(
            single.Select(i => data.Headlines[i].SharedLabel!.Value).ToList(),
            single.Select(i => new SentimentPrediction(results[i].Label, results[i].Score, results[i].Confidence)).ToList()).Format());
        var entities = ScoreEntities(data.Headlines, results);
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"entity level, all {results.Count} headlines: {entities.Entities} entity labels");
        report.AppendLine(CultureInfo.InvariantCulture, $"accuracy     {entities.Accuracy:F4}  (the analyser's entity sentiment where it found the entity and gave one, else the headline's label)");
        report.AppendLine(CultureInfo.InvariantCulture, $"found        {entities.Found} by the entity extractor, {entities.OwnSentiment} with a sentiment of their own");
        report.AppendLine(CultureInfo.InvariantCulture, $"mixed-label  {entities.MixedAccuracy:F4}  of {entities.MixedEntities} entity labels in headlines whose entities differ");
        report.AppendLine(CultureInfo.InvariantCulture, $"headline     {entities.HeadlineAccuracy:F4}  (the headline's label for every entity)");
        return report.ToString();
    }

    /// <summary>Compares each gold entity label with the analyser's result for its headline.</summary>
    public static EntityAccuracy ScoreEntities(IReadOnlyList<SentfinHeadline> headlines, IReadOnlyList<AnalysisResult> results)
    {
        ArgumentNullException.ThrowIfNull(headlines);
        ArgumentNullException.ThrowIfNull(results);
        int total = 0, found = 0, own = 0, correct = 0, headlineCorrect = 0, mixed = 0, mixedCorrect = 0;
        for (var i = 0; i < headlines.Count; i++)
        {
            foreach (var gold in headlines[i].Entities)
            {
                total++;
                // The gold spelling and the extractor's span often differ by a word ("HDFC Bank" / "HDFC"), so either may contain the other.
                var match = results[i].Entities.FirstOrDefault(e =>
                    e.Text.Contains(gold.Entity, StringComparison.OrdinalIgnoreCase) || gold.Entity.Contains(e.Text, StringComparison.OrdinalIgnoreCase));
                found += match is null ? 0 : 1;
                own += match?.Sentiment is null ? 0 : 1;
                var right = (match?.Sentiment ?? results[i].Label) == gold.Label ? 1 : 0;
                correct += right;
                if (headlines[i].SharedLabel is null)
                {
                    mixed++;
                    mixedCorrect += right;
                }

                headlineCorrect += results[i].Label == gold.Label ? 1 : 0;
            }
        }

        return total == 0
            ? new EntityAccuracy(0, 0, 0, 0, 0, 0, 0)
            : new EntityAccuracy(total, found, own, (double)correct / total, (double)headlineCorrect / total, mixed, mixed == 0 ? 0 : (double)mixedCorrect / mixed);
    }
}
