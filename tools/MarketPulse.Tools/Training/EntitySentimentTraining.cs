using System.Globalization;
using MarketPulse.Analysis;
using MarketPulse.Analysis.Entities;

namespace MarketPulse.Tools.Training;

/// <summary>
/// Training of <see cref="EntitySentimentModel"/> on SEntFiN's per-entity labels: one row per gold entity mention
/// (found in the headline as spelled), features from <see cref="EntitySentimentModel.Features"/> with the headline
/// model's prediction of the whole headline, an L2-regularised multinomial logistic regression fitted by L-BFGS.
/// The penalty and the temperature are chosen on an inner split of the rows given (never the held-out part). Nothing
/// is random: L-BFGS starts from zero and visits the rows in file order, so the same data gives the same bytes.
/// </summary>
public static class EntitySentimentTraining
{
    /// <summary>Penalties tried on the inner split.</summary>
    public static readonly double[] Penalties = [3e-4, 1e-4, 3e-5];

    /// <summary>One training row: a gold mention with its features and class.</summary>
    public sealed record Row(string Id, List<(int Bucket, float Value)> Features, int Label, bool Mixed);

    /// <summary>Rows of every gold entity found in its headline; <paramref name="headline"/> gives the headline model's prediction by id.</summary>
    public static List<Row> Rows(IReadOnlyList<SentfinHeadline> headlines, Func<SentfinHeadline, SentimentPrediction> headline, EntitySentimentModel shape)
    {
        ArgumentNullException.ThrowIfNull(headlines);
        ArgumentNullException.ThrowIfNull(headline);
        ArgumentNullException.ThrowIfNull(shape);
        var rows = new List<Row>();
        foreach (var h in headlines)
        {
            var p = headline(h);
            var starts = h.Entities.Select(e => EntityTraining.FindMention(h.Text, e.Entity)).ToList();
            for (var k = 0; k < h.Entities.Count; k++)
            {
                if (starts[k] < 0)
                {
                    continue;
                }

                var others = starts.Where((s, j) => j != k && s >= 0).ToList();
                rows.Add(new Row(h.Id, shape.Features(h.Text, starts[k], h.Entities[k].Entity.Length, p, others), EntitySentimentModel.ClassOf(h.Entities[k].Label), h.SharedLabel is null));
            }
        }

        return rows;
    }

    /// <summary>Tunes the penalty and temperature on an inner split of <paramref name="rows"/>, then refits on all of them.</summary>
    public static EntitySentimentModel Train(List<Row> rows, int bits, TextWriter progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(progress);
        // The inner split: a stable hash of the headline id, salted apart from the held-out split.
        var tune = rows.Where(r => HeldOutSplit.IsHeldOut("entity-sentiment-inner:" + r.Id)).ToList();
        var fit = rows.Where(r => !HeldOutSplit.IsHeldOut("entity-sentiment-inner:" + r.Id)).ToList();
        progress.WriteLine($"{rows.Count} mentions: {fit.Count} to fit, {tune.Count} to tune on");
        var best = (Penalty: Penalties[0], Accuracy: -1.0, Model: (EntitySentimentModel?)null);
        foreach (var penalty in Penalties)
        {
            var model = Fit(fit, bits, penalty, cancellationToken);
            var accuracy = Accuracy(model, tune);
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"L2 {penalty:G2}: inner accuracy {accuracy:F4} (mixed-label {Accuracy(model, tune.Where(r => r.Mixed).ToList()):F4})"));
            if (accuracy > best.Accuracy)
            {
                best = (penalty, accuracy, model);
            }
        }

        var temperature = FitTemperature(best.Model!, tune);
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"chosen L2 {best.Penalty:G2}, temperature {temperature:F2}; refitting on all {rows.Count} mentions"));
        var final = Fit(rows, bits, best.Penalty, cancellationToken);
        final.Temperature = (float)temperature;
        return final;
    }

    public static double Accuracy(EntitySentimentModel model, IReadOnlyList<Row> rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        return rows.Count == 0 ? 0 : rows.Count(r => Argmax(model.Probabilities(r.Features)) == r.Label) / (double)rows.Count;
    }

    /// <summary>Accuracy on all rows and on mixed-label headlines, and the expected calibration error (10 bins) of the confidence.</summary>
    public static string Report(EntitySentimentModel model, IReadOnlyList<Row> rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        var mixed = rows.Where(r => r.Mixed).ToList();
        var probabilities = rows.Select(r => model.Probabilities(r.Features)).ToList();
        var ece = EvaluationReport.ExpectedCalibrationError(
            rows.Select(r => r.Label).ToArray(), probabilities.Select(Argmax).ToArray(), probabilities.Select(p => p.Max()).ToArray());
        return string.Create(CultureInfo.InvariantCulture, $"{rows.Count} mentions: accuracy {Accuracy(model, rows):F4}; mixed-label headlines {Accuracy(model, mixed):F4} of {mixed.Count}; ECE {ece:F4}");
    }

    private static EntitySentimentModel Fit(List<Row> rows, int bits, double penalty, CancellationToken cancellationToken)
    {
        var model = new EntitySentimentModel(bits);
        var n = model.Weights.Length;
        var x = new double[n];
        var z = new double[EntitySentimentModel.Classes];
        Lbfgs.Minimize(x, (w, g) =>
        {
            Array.Clear(g);
            double loss = 0;
            foreach (var r in rows)
            {
                Array.Clear(z);
                foreach (var (b, v) in r.Features)
                {
                    for (var k = 0; k < z.Length; k++)
                    {
                        z[k] += w[(b * z.Length) + k] * v;
                    }
                }

                var max = z.Max();
                double sum = 0;
                for (var k = 0; k < z.Length; k++)
                {
                    z[k] = Math.Exp(z[k] - max);
                    sum += z[k];
                }

                loss -= Math.Log(z[r.Label] / sum);
                for (var k = 0; k < z.Length; k++)
                {
                    var d = (z[k] / sum) - (k == r.Label ? 1 : 0);
                    foreach (var (b, v) in r.Features)
                    {
                        g[(b * z.Length) + k] += d * v;
                    }
                }
            }

            var scale = 1.0 / rows.Count;
            double reg = 0;
            for (var i = 0; i < n; i++)
            {
                g[i] = (g[i] * scale) + (penalty * w[i]);
                reg += w[i] * w[i];
            }

            return (loss * scale) + (0.5 * penalty * reg);
        }, maxIterations: 300, memory: 10, tolerance: 1e-7, onIteration: null, cancellationToken);

        for (var i = 0; i < n; i++)
        {
            model.Weights[i] = (float)x[i];
        }

        return model;
    }

    private static double FitTemperature(EntitySentimentModel model, List<Row> tune)
    {
        if (tune.Count == 0)
        {
            return 1;
        }

        var best = (T: 1.0, Loss: double.MaxValue);
        for (var t = 0.5; t <= 3.0001; t += 0.05)
        {
            model.Temperature = (float)t;
            var loss = tune.Sum(r => -Math.Log(Math.Max(1e-12, model.Probabilities(r.Features)[r.Label])));
            if (loss < best.Loss)
            {
                best = (t, loss);
            }
        }

        model.Temperature = 1;
        return best.T;
    }

    private static int Argmax(double[] p)
    {
        var best = 0;
        for (var k = 1; k < p.Length; k++)
        {
            if (p[k] > p[best])
            {
                best = k;
            }
        }

        return best;
    }
}
