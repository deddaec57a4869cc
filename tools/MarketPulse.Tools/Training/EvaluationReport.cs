using System.Globalization;
using System.Text;
using MarketPulse.Analysis;

namespace MarketPulse.Tools.Training;

/// <summary>Precision, recall and F1 of one class.</summary>
public sealed record ClassMetrics(SentimentLabel Label, double Precision, double Recall, double F1, int Support);

/// <summary>How well predictions match gold labels.</summary>
public sealed record EvaluationReport
{
    private static readonly string[] Names = ["bearish", "bullish", "neutral"];

    /// <summary>Number of texts scored.</summary>
    public required int Count { get; init; }

    /// <summary>Share of texts labelled correctly.</summary>
    public required double Accuracy { get; init; }

    /// <summary>Unweighted mean of the per-class F1.</summary>
    public required double MacroF1 { get; init; }

    /// <summary>Mean of the per-class F1 weighted by class support.</summary>
    public required double WeightedF1 { get; init; }

    /// <summary>Counts indexed [gold, predicted] by <see cref="SentimentLabel"/> value.</summary>
    public required int[,] Confusion { get; init; }

    /// <summary>Per-class figures in <see cref="SentimentLabel"/> order.</summary>
    public required IReadOnlyList<ClassMetrics> Classes { get; init; }

    /// <summary>Expected calibration error of the confidence (10 equal-width bins); null when no confidences were given.</summary>
    public double? CalibrationError { get; init; }

    /// <summary>Builds the report from gold labels and the model's predictions, in the same order.</summary>
    public static EvaluationReport Create(IReadOnlyList<SentimentLabel> gold, IReadOnlyList<SentimentPrediction> predictions)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predictions);
        return Create(
            gold.Select(g => (int)g).ToArray(),
            predictions.Select(p => (int)p.Label).ToArray(),
            predictions.Select(p => p.Confidence).ToArray());
    }

    internal static EvaluationReport Create(int[] gold, int[] predicted, double[]? confidence)
    {
        if (gold.Length != predicted.Length)
        {
            throw new ArgumentException("Gold and predicted labels differ in number.", nameof(predicted));
        }

        const int K = 3;
        var confusion = new int[K, K];
        for (var i = 0; i < gold.Length; i++)
        {
            confusion[gold[i], predicted[i]]++;
        }

        var classes = new List<ClassMetrics>();
        double correct = 0, macro = 0, weighted = 0;
        for (var c = 0; c < K; c++)
        {
            int tp = confusion[c, c], support = 0, predictedCount = 0;
            for (var o = 0; o < K; o++)
            {
                support += confusion[c, o];
                predictedCount += confusion[o, c];
            }

            var precision = predictedCount == 0 ? 0 : (double)tp / predictedCount;
            var recall = support == 0 ? 0 : (double)tp / support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            classes.Add(new ClassMetrics((SentimentLabel)c, precision, recall, f1, support));
            correct += tp;
            macro += f1 / K;
            weighted += gold.Length == 0 ? 0 : f1 * support / gold.Length;
        }

        return new EvaluationReport
        {
            Count = gold.Length,
            Accuracy = gold.Length == 0 ? 0 : correct / gold.Length,
            MacroF1 = macro,
            WeightedF1 = weighted,
            Confusion = confusion,
            Classes = classes,
            CalibrationError = confidence is null ? null : ExpectedCalibrationError(gold, predicted, confidence),
        };
    }

    internal static double ExpectedCalibrationError(int[] gold, int[] predicted, double[] confidence)
    {
        const int Bins = 10;
        var count = new int[Bins];
        var hits = new double[Bins];
        var sum = new double[Bins];
        for (var i = 0; i < gold.Length; i++)
        {
            var bin = Math.Min(Bins - 1, (int)(confidence[i] * Bins));
            count[bin]++;
            sum[bin] += confidence[i];
            hits[bin] += gold[i] == predicted[i] ? 1 : 0;
        }

        double error = 0;
        for (var b = 0; b < Bins; b++)
        {
            if (count[b] > 0)
            {
                error += Math.Abs((hits[b] / count[b]) - (sum[b] / count[b])) * count[b] / gold.Length;
            }
        }

        return error;
    }

    /// <summary>A readable multi-line summary.</summary>
    public string Format()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"texts        {Count}");
        sb.AppendLine(inv, $"accuracy     {Accuracy:F4}");
        sb.AppendLine(inv, $"macro F1     {MacroF1:F4}");
        sb.AppendLine(inv, $"weighted F1  {WeightedF1:F4}");
        if (CalibrationError is { } ece)
        {
            sb.AppendLine(inv, $"calibration  ECE {ece:F4}");
        }

        sb.AppendLine();
        sb.AppendLine(inv, $"{"class",-10}{"precision",10}{"recall",10}{"F1",10}{"support",10}");
        foreach (var c in Classes)
        {
            sb.AppendLine(inv, $"{Names[(int)c.Label],-10}{c.Precision,10:F4}{c.Recall,10:F4}{c.F1,10:F4}{c.Support,10}");
        }

        sb.AppendLine();
        sb.AppendLine("confusion (rows gold, columns predicted)");
        sb.AppendLine(inv, $"{"",-10}{Names[0],10}{Names[1],10}{Names[2],10}");
        for (var g = 0; g < 3; g++)
        {
            sb.AppendLine(inv, $"{Names[g],-10}{Confusion[g, 0],10}{Confusion[g, 1],10}{Confusion[g, 2],10}");
        }

        return sb.ToString();
    }
}
