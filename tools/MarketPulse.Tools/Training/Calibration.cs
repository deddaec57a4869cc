using MarketPulse.Analysis.Sentiment;

namespace MarketPulse.Tools.Training;

/// <summary>
/// Temperature scaling and the search of a mixing share on held-out rows, shared by the sentiment model's
/// ensemble (<see cref="SentimentTraining"/>) and the fine-tuned layer's combination (<see cref="LayerFineTuning"/>).
/// </summary>
internal static class Calibration
{
    /// <summary>Each share in turn mixes the logits; the share whose temperature-scaled mix has the lowest loss wins.</summary>
    public static (double Share, double Temperature, double Loss, double WeightedF1) BestShare(IReadOnlyList<double> shares, Func<double, double[][]> mix, int[] labels)
    {
        var best = (Share: shares[0], Temperature: 1.0, Loss: double.PositiveInfinity, WeightedF1: 0.0);
        foreach (var share in shares)
        {
            var mixed = mix(share);
            var temperature = FitTemperature(mixed, labels);
            var (loss, f1, _) = Score(mixed, labels, temperature);
            if (loss < best.Loss)
            {
                best = (share, temperature, loss, f1);
            }
        }

        return best;
    }

    /// <summary>Golden-section search of log T in [0.05, 20] minimising the negative log-likelihood.</summary>
    public static double FitTemperature(double[][] logits, int[] labels)
    {
        double lo = Math.Log(0.05), hi = Math.Log(20);
        var phi = (Math.Sqrt(5) - 1) / 2;
        for (var i = 0; i < 60; i++)
        {
            var a = hi - (phi * (hi - lo));
            var b = lo + (phi * (hi - lo));
            if (Score(logits, labels, Math.Exp(a)).Loss < Score(logits, labels, Math.Exp(b)).Loss)
            {
                hi = b;
            }
            else
            {
                lo = a;
            }
        }

        return Math.Exp((lo + hi) / 2);
    }

    /// <summary>Mean negative log-likelihood, weighted F1 and accuracy of the logits at <paramref name="temperature"/>.</summary>
    public static (double Loss, double WeightedF1, double Accuracy) Score(double[][] logits, int[] labels, double temperature)
    {
        double loss = 0;
        var predicted = new int[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            var p = ModelMath.Softmax(logits[i], temperature);
            loss -= Math.Log(Math.Max(p[labels[i]], 1e-300));
            predicted[i] = Array.IndexOf(p, p.Max());
        }

        var report = EvaluationReport.Create(labels, predicted, null);
        return (loss / Math.Max(1, labels.Length), report.WeightedF1, report.Accuracy);
    }
}
