using MarketPulse.Analysis.Embeddings;
using MarketPulse.Analysis.Sentiment;

namespace MarketPulse.Analysis.Tests.Sentiment;

public sealed class FineTunedLayerTests
{
    private static readonly string[] Headlines =
    [
        "Sensex tanks 800 points as FIIs sell",
        "Infosys beats estimates, raises guidance",
        "RBI keeps repo rate unchanged",
        "Crude oil slips below $70 a barrel on weak Chinese demand, OPEC+ output in focus for the week ahead",
    ];

    [Fact]
    public void Backward_pass_matches_finite_differences_on_a_tiny_random_layer()
    {
        const int Hidden = 8, Heads = 2, Intermediate = 12, Tokens = 5, Label = 1;
        var random = new Random(7);
        float Next(double scale) => (float)(((random.NextDouble() * 2) - 1) * scale);
        var parameters = new float[EncoderLayer.Count][];
        for (var p = 0; p < EncoderLayer.Count; p++)
        {
            parameters[p] = new float[EncoderLayer.Size(p, Hidden, Intermediate)];
            var gain = p is EncoderLayer.Ln1Gamma or EncoderLayer.Ln2Gamma;
            for (var i = 0; i < parameters[p].Length; i++)
            {
                parameters[p][i] = gain ? 1 + Next(0.3) : Next(0.6);
            }
        }

        var head = Enumerable.Range(0, 3 * Hidden).Select(_ => Next(2)).ToArray();
        var bias = Enumerable.Range(0, 3).Select(_ => Next(0.5)).ToArray();
        var states = Enumerable.Range(0, Tokens * Hidden).Select(_ => Next(1.5)).ToArray();
        var model = new FineTunedLayer("test", new EncoderLayer(Hidden, Heads, Intermediate, parameters), head, bias);

        var gradients = model.Layer.NewGradients();
        var headGradient = new float[head.Length];
        var biasGradient = new float[bias.Length];
        model.Backpropagate(states, Label, gradients, headGradient, biasGradient);

        var tensors = parameters.Append(head).Append(bias).ToArray();
        var analytic = gradients.Append(headGradient).Append(biasGradient).ToArray();
        var checkedValues = 0;
        var worst = 0.0;
        for (var p = 0; p < tensors.Length; p++)
        {
            for (var i = 0; i < tensors[p].Length; i++)
            {
                const float Step = 1e-2f;
                var saved = tensors[p][i];
                tensors[p][i] = saved + Step;
                var up = Loss(model, states, Label);
                tensors[p][i] = saved - Step;
                var down = Loss(model, states, Label);
                tensors[p][i] = saved;
                var numeric = (up - down) / (2 * Step);
                // Central differences in float32 with this step are good to about 1 % here (worst measured 0.94 %).
                var error = Math.Abs(numeric - analytic[p][i]) / (1e-3 + Math.Abs(numeric) + Math.Abs(analytic[p][i]));
                worst = Math.Max(worst, error);
                Assert.True(error < 2e-2, $"tensor {p} value {i}: backward {analytic[p][i]:G6}, finite differences {numeric:G6}");
                checkedValues++;
            }
        }

        // Every value of all 16 tensors and the head: 4 x 64 + 2 x 96 + 12 + 7 x 8 + 24 + 3.
        Assert.Equal(559, checkedValues);
    }

    [Fact]
    public void Last_layer_in_csharp_reproduces_the_graphs_sentence_vector_from_the_exposed_states()
    {
        using var embedder = new MiniLmEmbedder(EmbeddingPrecision.Float32, exposeLastLayerInput: true);
        using var plain = new MiniLmEmbedder(EmbeddingPrecision.Float32);
        var layer = MiniLmEmbedder.ReadLastLayer();
        var model = new FineTunedLayer(embedder.ModelId, layer, new float[3 * 384], new float[3]);

        var (vectors, states) = embedder.EmbedWithLastLayerInput(Headlines);
        var reference = plain.Embed(Headlines);

        for (var i = 0; i < Headlines.Length; i++)
        {
            Assert.Equal(reference[i], vectors[i]);
            Assert.Equal(0, states[i].Length % 384);
            var (pooled, _) = model.Run(states[i]);
            var cosine = pooled.Zip(vectors[i], (a, b) => (double)a * b).Sum();
            Assert.True(cosine > 0.99999, $"cosine of '{Headlines[i]}' is {cosine:F7}");
            Assert.True(pooled.Zip(vectors[i], (a, b) => Math.Abs(a - b)).Max() < 1e-4);
        }
    }

    [Fact]
    public void Saved_layer_loads_with_the_same_outputs()
    {
        var layer = MiniLmEmbedder.ReadLastLayer();
        var random = new Random(3);
        var head = Enumerable.Range(0, 3 * 384).Select(_ => (float)random.NextDouble()).ToArray();
        var model = new FineTunedLayer("all-MiniLM-L6-v2/int8", layer, head, [0.1f, -0.2f, 0.3f]);
        var states = Enumerable.Range(0, 7 * 384).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;

        var loaded = FineTunedLayer.Load(stream);

        Assert.Equal("all-MiniLM-L6-v2/int8", loaded.EmbeddingModel);
        Assert.Equal(model.Run(states).Logits, loaded.Run(states).Logits);
    }

    private static double Loss(FineTunedLayer model, float[] states, int label)
    {
        var p = Softmax(model.Run(states).Logits);
        return -Math.Log(p[label]);
    }

    private static double[] Softmax(double[] z)
    {
        var max = z.Max();
        var e = z.Select(v => Math.Exp(v - max)).ToArray();
        var sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}
