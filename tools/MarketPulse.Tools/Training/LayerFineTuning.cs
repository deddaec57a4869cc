using System.Diagnostics;
using System.Globalization;
using MarketPulse.Analysis;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Analysis.Sentiment;

namespace MarketPulse.Tools.Training;

/// <summary>Settings of <see cref="LayerFineTuning"/>.</summary>
public sealed record LayerFineTuningOptions
{
    /// <summary>Seed of the shuffles.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Most passes over the fitted rows; the epoch with the lowest held-out loss is kept.</summary>
    public int MaxEpochs { get; init; } = 3;

    /// <summary>Stop after this many epochs without a lower held-out loss.</summary>
    public int Patience { get; init; } = 1;

    /// <summary>Texts per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak AdamW learning rate of the encoder layer.</summary>
    public double LayerLearningRate { get; init; } = 1e-4;

    /// <summary>Peak AdamW learning rate of the head.</summary>
    public double HeadLearningRate { get; init; } = 1e-3;

    /// <summary>Decoupled weight decay of the weight matrices (not biases or LayerNorm).</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Share of the steps with a linearly rising learning rate; it then falls linearly to 0.</summary>
    public double WarmupShare { get; init; } = 0.06;

    /// <summary>L2 penalty of the head's starting point, a logistic regression on the frozen sentence vectors.</summary>
    public double ProbeL2 { get; init; } = 1e-4;

    /// <summary>Threads over the two fixed halves of each batch; the result does not depend on it.</summary>
    public int Threads { get; init; } = 2;
}

/// <summary>A held-out row for early stopping: its last-layer input, label and the base model's probabilities.</summary>
/// <param name="Group">Which file it came from, for the per-file figures.</param>
public sealed record TuningRow(float[] States, int Label, double[] BaseProbabilities, string Group);

/// <summary>
/// Fine-tunes MiniLM's last encoder layer and a softmax head on the cached token states entering that layer
/// (<see cref="MiniLmEmbedder.EmbedWithLastLayerInput"/>), with AdamW, deterministic for a seed: fixed shuffles, each
/// batch split into two fixed halves whose gradients are summed in the same order however many threads run them.
/// </summary>
public static class LayerFineTuning
{
    private const int Halves = 2;

    /// <summary>Trains from the graph's own layer weights; returns the best epoch's layer with the ensemble share and temperature fitted on <paramref name="heldOut"/>.</summary>
    /// <remarks>
    /// The head starts as a logistic regression on the frozen sentence vectors <paramref name="vectors"/> (a linear
    /// probe, then fine-tuning), so the layer's first steps follow a head that already separates the classes instead of a random one.
    /// </remarks>
    public static FineTunedLayer Train(
        IReadOnlyList<float[]> states, IReadOnlyList<float[]> vectors, IReadOnlyList<int> labels, IReadOnlyList<TuningRow> heldOut, EncoderLayer initial, string embeddingModel,
        LayerFineTuningOptions options, TextWriter progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(heldOut);
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        var hidden = initial.Hidden;
        var layer = new EncoderLayer(hidden, initial.Heads, initial.Intermediate, initial.Parameters.Select(p => (float[])p.Clone()).ToArray());
        var (probeWeights, probeBias) = LinearProbe(vectors, labels, hidden, options.ProbeL2, progress, ct);
        var model = new FineTunedLayer(embeddingModel, layer, probeWeights, probeBias);
        var parameters = layer.Parameters.Append(model.HeadWeights).Append(model.HeadBias).ToArray();
        var decays = Enumerable.Range(0, parameters.Length).Select(p => p is EncoderLayer.Wq or EncoderLayer.Wk or EncoderLayer.Wv or EncoderLayer.Wo or EncoderLayer.W1 or EncoderLayer.W2 or EncoderLayer.Count).ToArray();
        var rates = Enumerable.Range(0, parameters.Length).Select(p => p < EncoderLayer.Count ? options.LayerLearningRate : options.HeadLearningRate).ToArray();
        var m = parameters.Select(p => new float[p.Length]).ToArray();
        var v = parameters.Select(p => new float[p.Length]).ToArray();
        var halves = Enumerable.Range(0, Halves).Select(_ => parameters.Select(p => new float[p.Length]).ToArray()).ToArray();
        var halfLoss = new double[Halves];

        var random = new Random(options.Seed);
        var order = Enumerable.Range(0, states.Count).ToArray();
        var stepsPerEpoch = (order.Length + options.BatchSize - 1) / options.BatchSize;
        var totalSteps = stepsPerEpoch * options.MaxEpochs;
        var warmup = Math.Max(1, (int)(totalSteps * options.WarmupShare));
        var step = 0;
        progress.WriteLine(Invariant($"fine-tuning: {order.Length} texts, {stepsPerEpoch} steps an epoch, held-out {heldOut.Count}"));
        // Epoch 0 is the probe on the unchanged layer: fine-tuning is kept only where it lowers the held-out loss.
        var best = (Loss: Report(model, heldOut, 0, TimeSpan.Zero, progress), Epoch: 0, Weights: parameters.Select(p => (float[])p.Clone()).ToArray());
        for (var epoch = 1; epoch <= options.MaxEpochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            random.Shuffle(order);
            double trainLoss = 0;
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                ct.ThrowIfCancellationRequested();
                var end = Math.Min(order.Length, start + options.BatchSize);
                var middle = start + ((end - start + 1) / 2);
                Parallel.For(0, Halves, new ParallelOptions { MaxDegreeOfParallelism = options.Threads, CancellationToken = ct }, half =>
                {
                    var g = halves[half];
                    foreach (var tensor in g)
                    {
                        Array.Clear(tensor);
                    }

                    double loss = 0;
                    var layerGradients = g[..EncoderLayer.Count];
                    for (var r = half == 0 ? start : middle; r < (half == 0 ? middle : end); r++)
                    {
                        loss += model.Backpropagate(states[order[r]], labels[order[r]], layerGradients, g[EncoderLayer.Count], g[EncoderLayer.Count + 1]);
                    }

                    halfLoss[half] = loss;
                });
                trainLoss += halfLoss[0] + halfLoss[1];
                step++;
                var rate = step <= warmup ? (double)step / warmup : Math.Max(0, (double)(totalSteps - step) / (totalSteps - warmup));
                AdamW(parameters, halves, m, v, step, end - start, rates, rate, options.WeightDecay, decays);
            }

            var elapsed = clock.Elapsed;
            progress.WriteLine(Invariant($"epoch {epoch}: train loss {trainLoss / order.Length:F4}, {elapsed.TotalSeconds:F0} s"));
            var heldOutLoss = Report(model, heldOut, epoch, elapsed, progress);
            if (heldOutLoss < best.Loss)
            {
                best = (heldOutLoss, epoch, parameters.Select(p => (float[])p.Clone()).ToArray());
            }
            else if (epoch - best.Epoch >= options.Patience)
            {
                progress.WriteLine("held-out loss did not fall: stopping");
                break;
            }
        }

        progress.WriteLine(Invariant($"best epoch {best.Epoch} (held-out loss {best.Loss:F4})"));
        var bestLayer = new EncoderLayer(hidden, layer.Heads, layer.Intermediate, best.Weights[..EncoderLayer.Count]);
        var tuned = new FineTunedLayer(embeddingModel, bestLayer, best.Weights[EncoderLayer.Count], best.Weights[EncoderLayer.Count + 1]);
        return FitCombination(tuned, heldOut, progress);
    }

    /// <summary>Weighted F1, accuracy and loss of the head alone on <paramref name="rows"/>, overall and per group; returns the overall loss.</summary>
    public static double Report(FineTunedLayer model, IReadOnlyList<TuningRow> rows, int epoch, TimeSpan elapsed, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(progress);
        var logits = rows.Select(r => model.Run(r.States).Logits).ToArray();
        var all = Calibration.Score(logits, rows.Select(r => r.Label).ToArray(), 1);
        var line = Invariant($"held-out after epoch {epoch}: loss {all.Loss:F4} weighted F1 {all.WeightedF1:F4}");
        foreach (var group in rows.Select(r => r.Group).Distinct())
        {
            var members = Enumerable.Range(0, rows.Count).Where(i => rows[i].Group == group).ToArray();
            var s = Calibration.Score(members.Select(i => logits[i]).ToArray(), members.Select(i => rows[i].Label).ToArray(), 1);
            line += Invariant($"; {group} {members.Length}: weighted F1 {s.WeightedF1:F4}, accuracy {s.Accuracy:F4}");
        }

        progress.WriteLine(line + (elapsed > TimeSpan.Zero ? Invariant($" ({elapsed.TotalSeconds:F0} s epoch)") : ""));
        return all.Loss;
    }

    // Multinomial logistic regression on unit vectors, L-BFGS; weights one row per class.
    private static (float[] Weights, float[] Bias) LinearProbe(IReadOnlyList<float[]> vectors, IReadOnlyList<int> labels, int hidden, double l2, TextWriter progress, CancellationToken ct)
    {
        const int K = SentimentModel.Classes;
        var theta = new double[(K * hidden) + K];
        var z = new double[K];
        double Objective(double[] w, double[] grad)
        {
            Array.Clear(grad);
            double loss = 0;
            for (var i = 0; i < vectors.Count; i++)
            {
                var x = vectors[i];
                for (var c = 0; c < K; c++)
                {
                    double sum = w[(K * hidden) + c];
                    for (var j = 0; j < hidden; j++)
                    {
                        sum += w[(c * hidden) + j] * x[j];
                    }

                    z[c] = sum;
                }

                var p = ModelMath.Softmax(z, 1);
                loss -= Math.Log(Math.Max(p[labels[i]], 1e-300));
                p[labels[i]] -= 1;
                for (var c = 0; c < K; c++)
                {
                    grad[(K * hidden) + c] += p[c];
                    for (var j = 0; j < hidden; j++)
                    {
                        grad[(c * hidden) + j] += p[c] * x[j];
                    }
                }
            }

            var n = vectors.Count;
            double penalty = 0;
            for (var j = 0; j < theta.Length; j++)
            {
                grad[j] /= n;
                if (j < K * hidden)
                {
                    grad[j] += l2 * w[j];
                    penalty += w[j] * w[j];
                }
            }

            return (loss / n) + (0.5 * l2 * penalty);
        }

        var objective = Lbfgs.Minimize(theta, Objective, 200, 10, 1e-9, null, ct);
        progress.WriteLine(Invariant($"linear probe on the frozen vectors: objective {objective:F4}"));
        return (theta.Take(K * hidden).Select(v => (float)v).ToArray(), theta.Skip(K * hidden).Select(v => (float)v).ToArray());
    }

    // The share of the base model's log-probabilities (0, 0.05 ... 1) and the temperature with the lowest held-out loss.
    private static FineTunedLayer FitCombination(FineTunedLayer model, IReadOnlyList<TuningRow> rows, TextWriter progress)
    {
        if (rows.Count == 0)
        {
            return model;
        }

        var labels = rows.Select(r => r.Label).ToArray();
        var logits = rows.Select(r => model.Run(r.States).Logits).ToArray();
        var best = Calibration.BestShare(
            [.. Enumerable.Range(0, 21).Select(s => s / 20.0)],
            share => [.. rows.Select((r, i) => FineTunedLayer.Combine(r.BaseProbabilities, logits[i], share, 1).Select(p => Math.Log(p)).ToArray())],
            labels);
        progress.WriteLine(Invariant($"combination: base share {best.Share:F2}, temperature {best.Temperature:F3}, held-out loss {best.Loss:F4} weighted F1 {best.WeightedF1:F4}"));
        return new FineTunedLayer(model.EmbeddingModel, model.Layer, model.HeadWeights, model.HeadBias) { BaseShare = (float)best.Share, Temperature = (float)best.Temperature };
    }

    private static void AdamW(float[][] parameters, float[][][] halves, float[][] m, float[][] v, int step, int batch, double[] rates, double schedule, double decay, bool[] decays)
    {
        const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
        var correction1 = 1 - Math.Pow(Beta1, step);
        var correction2 = 1 - Math.Pow(Beta2, step);
        for (var a = 0; a < parameters.Length; a++)
        {
            var p = parameters[a];
            var g0 = halves[0][a];
            var g1 = halves[1][a];
            var ma = m[a];
            var va = v[a];
            var rate = rates[a] * schedule;
            for (var i = 0; i < p.Length; i++)
            {
                var gi = (g0[i] + g1[i]) / batch;
                ma[i] = (float)((Beta1 * ma[i]) + ((1 - Beta1) * gi));
                va[i] = (float)((Beta2 * va[i]) + ((1 - Beta2) * gi * gi));
                var update = rate * (ma[i] / correction1) / (Math.Sqrt(va[i] / correction2) + Epsilon);
                if (decays[a])
                {
                    update += rate * decay * p[i];
                }

                p[i] -= (float)update;
            }
        }
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
