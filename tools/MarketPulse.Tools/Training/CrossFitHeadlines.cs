using System.Globalization;
using MarketPulse.Analysis;
using MarketPulse.Analysis.Embeddings;

namespace MarketPulse.Tools.Training;

/// <summary>
/// Out-of-fold predictions of the headline sentiment model for SEntFiN's fitted headlines, the input the entity
/// sentiment model is trained on. The shipped headline model was fitted on these headlines, so its predictions of
/// them are in-sample (about 0.95 right where it is 0.86 right on new headlines) and an entity model trained on them
/// learns to trust it more than it deserves. Here the fitted headlines are cut into <c>folds</c> by a stable hash of
/// their text (repeated headlines fall in one fold); for each fold a headline model is trained with the shipped
/// settings on the other training files and the other folds' single-label headlines, and predicts that fold.
/// Vectors are embedded once and shared by the folds; the folds train in parallel, each deterministic, so the same
/// inputs give the same predictions.
/// </summary>
public static class CrossFitHeadlines
{
    private const string Salt = "marketpulse-entity-crossfit-1";

    /// <summary>The fold of a headline text.</summary>
    public static int Fold(string text, int folds) => HeldOutSplit.Bucket(Salt, text, folds);

    /// <summary>
    /// Predicts every headline of <paramref name="fitted"/> with a headline model that never saw its fold.
    /// <paramref name="others"/> are the other files' training rows (TFNS train.csv minus its held-out part), in the
    /// order the shipped model was trained on them, before the SEntFiN rows.
    /// </summary>
    public static async Task<Dictionary<string, SentimentPrediction>> PredictAsync(
        IReadOnlyList<SentfinHeadline> fitted, IReadOnlyList<LabeledText> others, int folds, SentimentTrainingOptions options, ITextEmbedder embedder, TextWriter progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fitted);
        ArgumentNullException.ThrowIfNull(others);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var texts = others.Select(o => o.Text).Concat(fitted.Select(h => h.Text)).ToList();
        await progress.WriteLineAsync($"cross-fit: embedding {texts.Count} texts once for {folds} folds").ConfigureAwait(false);
        var vectors = await SentimentTraining.EmbedAsync(texts, embedder, progress, ct).ConfigureAwait(false);
        var fold = fitted.Select(h => Fold(h.Text, folds)).ToArray();
        var predictions = new Dictionary<string, SentimentPrediction>(StringComparer.Ordinal);
        var gate = new object();
        var done = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Run(() => Parallel.For(0, folds, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct }, f =>
        {
            var rows = new List<LabeledText>(others);
            var rowVectors = new List<float[]>(vectors.Take(others.Count));
            var target = new List<int>();
            for (var i = 0; i < fitted.Count; i++)
            {
                if (fold[i] == f)
                {
                    target.Add(i);
                }
                else if (fitted[i].SharedLabel is { } label)
                {
                    rows.Add(new LabeledText(fitted[i].Text, label, fitted[i].Line));
                    rowVectors.Add(vectors[others.Count + i]);
                }
            }

            var model = SentimentTraining.Train(rows, rowVectors.ToArray(), embedder.ModelId, options, TextWriter.Null, ct);
            var predicted = model.Predict(target.Select(i => fitted[i].Text).ToList(), target.Select(i => vectors[others.Count + i]).ToArray());
            var right = target.Where((i, k) => fitted[i].SharedLabel is { } l && predicted[k].Label == l).Count();
            var single = target.Count(i => fitted[i].SharedLabel is not null);
            lock (gate)
            {
                for (var k = 0; k < target.Count; k++)
                {
                    predictions[fitted[target[k]].Id] = predicted[k];
                }

                done++;
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"cross-fit fold {f + 1}/{folds}: trained on {rows.Count} rows, predicted {target.Count} headlines, {right / (double)Math.Max(1, single):F4} right on its {single} single-label ones ({done}/{folds} done, {clock.Elapsed.TotalSeconds:F0} s)"));
            }
        }), ct).ConfigureAwait(false);
        return predictions;
    }
}
