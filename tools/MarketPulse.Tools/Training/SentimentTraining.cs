using System.Diagnostics;
using System.Globalization;
using MarketPulse.Analysis;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Analysis.Sentiment;

namespace MarketPulse.Tools.Training;

/// <summary>Trains and evaluates <see cref="SentimentModel"/> on <c>text,label</c> CSV files.</summary>
public static class SentimentTraining
{
    private const int EmbedChunk = 256;

    /// <summary>Trains a model on every row of <paramref name="csvPath"/> with the default settings.</summary>
    public static Task<SentimentModel> TrainAsync(string csvPath, ITextEmbedder embedder, int seed, TextWriter progress, CancellationToken ct) =>
        TrainAsync(csvPath, embedder, new SentimentTrainingOptions { Seed = seed }, progress, ct);

    /// <summary>Trains a model on every row of <paramref name="csvPath"/>, writing progress lines as it goes.</summary>
    public static async Task<SentimentModel> TrainAsync(string csvPath, ITextEmbedder embedder, SentimentTrainingOptions options, TextWriter progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(progress);
        var data = LabeledCsv.Read(csvPath);
        await progress.WriteLineAsync($"read {data.Count} rows from {csvPath}").ConfigureAwait(false);
        return await TrainAsync(data, embedder, options, progress, ct).ConfigureAwait(false);
    }

    /// <summary>Trains a model on <paramref name="data"/> (rows of any number of files), writing progress lines as it goes.</summary>
    public static async Task<SentimentModel> TrainAsync(IReadOnlyList<LabeledText> data, ITextEmbedder embedder, SentimentTrainingOptions options, TextWriter progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(progress);
        var embeddings = await EmbedAsync(data.Select(d => d.Text).ToList(), embedder, progress, ct).ConfigureAwait(false);
        return await Task.Run(() => Train(data, embeddings, embedder.ModelId, options, progress, ct), ct).ConfigureAwait(false);
    }

    /// <summary>Scores <paramref name="model"/> on every row of <paramref name="csvPath"/>.</summary>
    public static async Task<EvaluationReport> EvaluateAsync(string csvPath, SentimentModel model, ITextEmbedder embedder, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(embedder);
        var data = LabeledCsv.Read(csvPath);
        var embeddings = await EmbedAsync(data.Select(d => d.Text).ToList(), embedder, TextWriter.Null, ct).ConfigureAwait(false);
        return Evaluate(data, embeddings, model);
    }

    /// <summary>Scores <paramref name="model"/> on labelled texts whose embeddings are already known.</summary>
    public static EvaluationReport Evaluate(IReadOnlyList<LabeledText> data, float[][] embeddings, SentimentModel model)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(model);
        var predictions = model.Predict(data.Select(d => d.Text).ToList(), embeddings);
        return EvaluationReport.Create(data.Select(d => d.Label).ToList(), predictions);
    }

    /// <summary>
    /// Trains on texts whose embeddings are already known (from the embedder named <paramref name="embeddingModel"/>).
    /// The same inputs and options always give a model with the same bytes.
    /// </summary>
    public static SentimentModel Train(IReadOnlyList<LabeledText> data, float[][] embeddings, string embeddingModel, SentimentTrainingOptions options, TextWriter progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        if (data.Count != embeddings.Length || data.Count < 10)
        {
            throw new ArgumentException($"Need at least 10 rows with one embedding each; got {data.Count} rows and {embeddings.Length} embeddings.", nameof(data));
        }

        var clock = Stopwatch.StartNew();
        var settings = new FeatureSettings(options.HashBits, options.MaxWordNgram, options.MinCharNgram, options.MaxCharNgram, options.WordWeight, options.CharWeight, options.LexiconWeight);
        var raw = data.Select(d => FeatureVectors.Extract(d.Text, settings)).ToList();
        var idf = FeatureVectors.InverseDocumentFrequency(raw, 1 << settings.HashBits);
        var vectors = new FeatureVector[data.Count];
        for (var i = 0; i < vectors.Length; i++)
        {
            vectors[i] = FeatureVectors.Build(raw[i], embeddings[i], settings, idf, options.EmbeddingScale);
        }

        var labels = data.Select(d => (int)d.Label).ToArray();
        var (fit, holdout) = StratifiedSplit(labels, options.HoldoutFraction, options.Seed);
        progress.WriteLine(Invariant($"features: {vectors.Length} rows, 2^{settings.HashBits} buckets, {vectors[0].Dense.Length} dense; split {fit.Length} fit / {holdout.Length} held out"));

        var linear = TrainLinear(vectors, labels, fit, options, holdout, progress, ct);
        var (network, bestEpochs) = TrainNetwork(vectors, labels, fit, holdout, options, options.MaxEpochs, progress, ct);

        var linearLogits = holdout.Select(i => linear.Logits(vectors[i])).ToArray();
        var networkLogits = holdout.Select(i => network.Logits(vectors[i].Dense)).ToArray();
        var holdoutLabels = holdout.Select(i => labels[i]).ToArray();
        var (share, temperature) = FitEnsemble(linearLogits, networkLogits, holdoutLabels, options, options.HiddenUnits > 0, progress);

        if (options.RefitOnAllRows)
        {
            var all = Enumerable.Range(0, vectors.Length).ToArray();
            progress.WriteLine("refit on all rows");
            linear = TrainLinear(vectors, labels, all, options, [], progress, ct);
            (network, _) = TrainNetwork(vectors, labels, all, [], options, bestEpochs, progress, ct);
        }

        var parameters = new ModelParameters
        {
            EmbeddingModel = embeddingModel,
            EmbeddingDimensions = embeddings[0].Length,
            Settings = settings,
            EmbeddingScale = options.EmbeddingScale,
            Idf = idf,
            Linear = linear,
            Network = network,
            LinearShare = (float)share,
            Temperature = (float)temperature,
        };
        var model = new SentimentModel(parameters);
        progress.WriteLine(Invariant($"trained in {clock.Elapsed.TotalSeconds:F1} s, model {model.Version}"));
        return model;
    }

    internal static async Task<float[][]> EmbedAsync(List<string> texts, ITextEmbedder embedder, TextWriter progress, CancellationToken ct)
    {
        var result = new float[texts.Count][];
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < texts.Count; start += EmbedChunk)
        {
            var count = Math.Min(EmbedChunk, texts.Count - start);
            var chunk = texts.GetRange(start, count);
            var vectors = await Task.Run(() => embedder.Embed(chunk, ct), ct).ConfigureAwait(false);
            Array.Copy(vectors, 0, result, start, count);
            if ((start / EmbedChunk) % 8 == 7 || start + count == texts.Count)
            {
                await progress.WriteLineAsync(Invariant($"embedded {start + count}/{texts.Count} texts ({clock.Elapsed.TotalSeconds:F0} s)")).ConfigureAwait(false);
            }
        }

        return result;
    }

    internal static (int[] Fit, int[] Holdout) StratifiedSplit(int[] labels, double holdoutFraction, int seed)
    {
        var random = new Random(seed);
        var fit = new List<int>();
        var holdout = new List<int>();
        for (var c = 0; c < SentimentModel.Classes; c++)
        {
            var members = Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).ToArray();
            random.Shuffle(members);
            var take = (int)Math.Round(members.Length * holdoutFraction);
            holdout.AddRange(members.Take(take));
            fit.AddRange(members.Skip(take));
        }

        fit.Sort();
        holdout.Sort();
        return (fit.ToArray(), holdout.ToArray());
    }

    private static LinearLayer TrainLinear(FeatureVector[] vectors, int[] labels, int[] rows, SentimentTrainingOptions options, int[] holdout, TextWriter progress, CancellationToken ct)
    {
        const int K = SentimentModel.Classes;
        var sparseCount = (1 << options.HashBits) * K;
        var denseCount = vectors[0].Dense.Length * K;
        var theta = new double[sparseCount + denseCount + K];
        var lambda = options.LinearL2;
        var z = new double[K];
        var scale = NaiveBayesScale(vectors, labels, rows, sparseCount, options.NaiveBayesPower);

        double Objective(double[] w, double[] grad)
        {
            Array.Clear(grad);
            double loss = 0;
            foreach (var i in rows)
            {
                var x = vectors[i];
                for (var c = 0; c < K; c++)
                {
                    z[c] = w[sparseCount + denseCount + c];
                }

                var idx = x.Sparse.Indices;
                var val = x.Sparse.Values;
                for (var j = 0; j < idx.Length; j++)
                {
                    var o = idx[j] * K;
                    for (var c = 0; c < K; c++)
                    {
                        z[c] += val[j] * scale[o + c] * w[o + c];
                    }
                }

                var dense = x.Dense;
                for (var j = 0; j < dense.Length; j++)
                {
                    var o = sparseCount + (j * K);
                    for (var c = 0; c < K; c++)
                    {
                        z[c] += dense[j] * w[o + c];
                    }
                }

                var p = ModelMath.Softmax(z, 1);
                loss -= Math.Log(Math.Max(p[labels[i]], 1e-300));
                p[labels[i]] -= 1;
                for (var j = 0; j < idx.Length; j++)
                {
                    var o = idx[j] * K;
                    for (var c = 0; c < K; c++)
                    {
                        grad[o + c] += val[j] * scale[o + c] * p[c];
                    }
                }

                for (var j = 0; j < dense.Length; j++)
                {
                    var o = sparseCount + (j * K);
                    for (var c = 0; c < K; c++)
                    {
                        grad[o + c] += dense[j] * p[c];
                    }
                }

                for (var c = 0; c < K; c++)
                {
                    grad[sparseCount + denseCount + c] += p[c];
                }
            }

            var n = rows.Length;
            loss /= n;
            double penalty = 0;
            for (var j = 0; j < sparseCount + denseCount; j++)
            {
                grad[j] = (grad[j] / n) + (lambda * w[j]);
                penalty += w[j] * w[j];
            }

            for (var c = 0; c < K; c++)
            {
                grad[sparseCount + denseCount + c] /= n;
            }

            return loss + (0.5 * lambda * penalty);
        }

        Lbfgs.Minimize(theta, Objective, options.LinearIterations, 10, 1e-9, (iteration, value) =>
        {
            if (iteration % 25 == 0)
            {
                progress.WriteLine(Invariant($"linear: iteration {iteration} objective {value:F5}"));
            }
        }, ct);

        var layer = new LinearLayer(
            theta.AsSpan(0, sparseCount).ToArray().Select((v, j) => (float)(v * scale[j])).ToArray(),
            theta.AsSpan(sparseCount, denseCount).ToArray().Select(v => (float)v).ToArray(),
            theta.AsSpan(sparseCount + denseCount, K).ToArray().Select(v => (float)v).ToArray());
        if (holdout.Length > 0)
        {
            var (loss, f1, _) = Calibration.Score(holdout.Select(i => layer.Logits(vectors[i])).ToArray(), holdout.Select(i => labels[i]).ToArray(), 1);
            progress.WriteLine(Invariant($"linear: held-out loss {loss:F4} weighted F1 {f1:F4}"));
        }

        return layer;
    }

    // NB-SVM style: each sparse weight is learnt as scale * theta with the penalty on theta, so n-grams whose
    // one-vs-rest log-count ratio is large are cheap to use and uninformative ones are held near zero.
    private static double[] NaiveBayesScale(FeatureVector[] vectors, int[] labels, int[] rows, int sparseCount, double power)
    {
        const int K = SentimentModel.Classes;
        var scale = new double[sparseCount];
        if (power == 0)
        {
            Array.Fill(scale, 1.0);
            return scale;
        }

        var sums = new double[sparseCount];
        var classTotals = new double[K];
        foreach (var i in rows)
        {
            var idx = vectors[i].Sparse.Indices;
            var val = vectors[i].Sparse.Values;
            for (var j = 0; j < idx.Length; j++)
            {
                sums[(idx[j] * K) + labels[i]] += val[j];
                classTotals[labels[i]] += val[j];
            }
        }

        const double Smoothing = 1.0;
        var buckets = sparseCount / K;
        var grandTotal = classTotals.Sum() + (Smoothing * buckets * K);
        for (var f = 0; f < buckets; f++)
        {
            var featureTotal = sums[f * K] + sums[(f * K) + 1] + sums[(f * K) + 2];
            for (var c = 0; c < K; c++)
            {
                var inClass = (sums[(f * K) + c] + Smoothing) / (classTotals[c] + (Smoothing * buckets));
                var outClass = (featureTotal - sums[(f * K) + c] + Smoothing) / (grandTotal - classTotals[c] - (Smoothing * buckets));
                scale[(f * K) + c] = Math.Pow(Math.Max(0.1, Math.Abs(Math.Log(inClass / outClass))), power);
            }
        }

        return scale;
    }

    private static (Mlp Network, int BestEpochs) TrainNetwork(FeatureVector[] vectors, int[] labels, int[] rows, int[] holdout, SentimentTrainingOptions options, int epochs, TextWriter progress, CancellationToken ct)
    {
        const int K = SentimentModel.Classes;
        var inputs = vectors[0].Dense.Length;
        var hidden = options.HiddenUnits;
        if (hidden == 0)
        {
            return (new Mlp(inputs, 0, [], [], [], new float[K]), 0);
        }

        var random = new Random(options.Seed + 1);
        var w1 = new float[hidden * inputs];
        var b1 = new float[hidden];
        var w2 = new float[K * hidden];
        var b2 = new float[K];
        var limit1 = (float)Math.Sqrt(6.0 / (inputs + hidden));
        var limit2 = (float)Math.Sqrt(6.0 / (hidden + K));
        for (var i = 0; i < w1.Length; i++)
        {
            w1[i] = (float)(((random.NextDouble() * 2) - 1) * limit1);
        }

        for (var i = 0; i < w2.Length; i++)
        {
            w2[i] = (float)(((random.NextDouble() * 2) - 1) * limit2);
        }

        var parameters = new[] { w1, b1, w2, b2 };
        var grads = parameters.Select(p => new float[p.Length]).ToArray();
        var m = parameters.Select(p => new float[p.Length]).ToArray();
        var v = parameters.Select(p => new float[p.Length]).ToArray();
        var order = (int[])rows.Clone();
        var x = new float[inputs];
        var h = new float[hidden];
        var dh = new float[hidden];
        var dz = new float[K];
        var step = 0;
        var best = (Loss: double.PositiveInfinity, Epoch: epochs, Weights: parameters.Select(p => (float[])p.Clone()).ToArray());
        var keep = 1 - options.InputDropout;
        var network = new Mlp(inputs, hidden, w1, b1, w2, b2);

        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            random.Shuffle(order);
            double trainLoss = 0;
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                var end = Math.Min(order.Length, start + options.BatchSize);
                foreach (var g in grads)
                {
                    Array.Clear(g);
                }

                for (var r = start; r < end; r++)
                {
                    var row = order[r];
                    var dense = vectors[row].Dense;
                    for (var j = 0; j < inputs; j++)
                    {
                        x[j] = random.NextDouble() < keep ? (float)(dense[j] / keep) : 0f;
                    }

                    network.Forward(x, h);
                    var logits = new double[K];
                    for (var c = 0; c < K; c++)
                    {
                        logits[c] = b2[c] + ModelMath.Dot(w2.AsSpan(c * hidden, hidden), h);
                    }

                    var p = ModelMath.Softmax(logits, 1);
                    trainLoss -= Math.Log(Math.Max(p[labels[row]], 1e-300));
                    for (var c = 0; c < K; c++)
                    {
                        dz[c] = (float)(p[c] - (c == labels[row] ? 1 : 0));
                    }

                    Array.Clear(dh);
                    for (var c = 0; c < K; c++)
                    {
                        grads[3][c] += dz[c];
                        var o = c * hidden;
                        for (var k = 0; k < hidden; k++)
                        {
                            grads[2][o + k] += dz[c] * h[k];
                            dh[k] += dz[c] * w2[o + k];
                        }
                    }

                    for (var k = 0; k < hidden; k++)
                    {
                        if (h[k] <= 0)
                        {
                            continue;
                        }

                        var d = dh[k];
                        grads[1][k] += d;
                        var o = k * inputs;
                        var gw = grads[0];
                        for (var j = 0; j < inputs; j++)
                        {
                            gw[o + j] += d * x[j];
                        }
                    }
                }

                step++;
                AdamStep(parameters, grads, m, v, step, end - start, options.LearningRate, options.WeightDecay);
            }

            var line = Invariant($"network: epoch {epoch} train loss {trainLoss / order.Length:F4}");
            if (holdout.Length > 0)
            {
                var (loss, f1, _) = Calibration.Score(holdout.Select(i => network.Logits(vectors[i].Dense)).ToArray(), holdout.Select(i => labels[i]).ToArray(), 1);
                line += Invariant($" held-out loss {loss:F4} weighted F1 {f1:F4}");
                if (loss < best.Loss)
                {
                    best = (loss, epoch, parameters.Select(p => (float[])p.Clone()).ToArray());
                }
            }

            progress.WriteLine(line);
        }

        if (holdout.Length > 0)
        {
            progress.WriteLine(Invariant($"network: best epoch {best.Epoch} (held-out loss {best.Loss:F4})"));
            return (new Mlp(inputs, hidden, best.Weights[0], best.Weights[1], best.Weights[2], best.Weights[3]), best.Epoch);
        }

        return (network, epochs);
    }

    private static void AdamStep(float[][] parameters, float[][] grads, float[][] m, float[][] v, int step, int batch, double rate, double decay)
    {
        const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
        var correction1 = 1 - Math.Pow(Beta1, step);
        var correction2 = 1 - Math.Pow(Beta2, step);
        for (var a = 0; a < parameters.Length; a++)
        {
            var p = parameters[a];
            var g = grads[a];
            var ma = m[a];
            var va = v[a];
            var decays = a is 0 or 2;
            for (var i = 0; i < p.Length; i++)
            {
                var gi = g[i] / batch;
                ma[i] = (float)((Beta1 * ma[i]) + ((1 - Beta1) * gi));
                va[i] = (float)((Beta2 * va[i]) + ((1 - Beta2) * gi * gi));
                var update = rate * (ma[i] / correction1) / (Math.Sqrt(va[i] / correction2) + Epsilon);
                if (decays)
                {
                    update += rate * decay * p[i];
                }

                p[i] -= (float)update;
            }
        }
    }

    private static (double Share, double Temperature) FitEnsemble(double[][] linear, double[][] network, int[] labels, SentimentTrainingOptions options, bool hasNetwork, TextWriter progress)
    {
        double[] shares = options.LinearShare is { } fixedShare ? [fixedShare] : hasNetwork ? [.. Enumerable.Range(0, 21).Select(i => i / 20.0)] : [1.0];
        var best = Calibration.BestShare(
            shares,
            share => [.. linear.Select((l, i) => l.Select((value, c) => (share * value) + ((1 - share) * network[i][c])).ToArray())],
            labels);
        progress.WriteLine(Invariant($"ensemble: linear share {best.Share:F2}, temperature {best.Temperature:F3}, held-out loss {best.Loss:F4} weighted F1 {best.WeightedF1:F4}"));
        return (best.Share, best.Temperature);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
