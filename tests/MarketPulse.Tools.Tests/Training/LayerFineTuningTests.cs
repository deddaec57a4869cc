using MarketPulse.Analysis.Embeddings;
using MarketPulse.Analysis.Sentiment;
using MarketPulse.Tools.Training;

namespace MarketPulse.Tools.Tests.Training;

public sealed class LayerFineTuningTests
{
    [Fact]
    public void Fine_tuning_gives_the_same_bytes_on_one_or_two_threads_and_learns_a_separable_task()
    {
        const int Hidden = 8, Intermediate = 12;
        var random = new Random(5);
        float Next(double scale) => (float)(((random.NextDouble() * 2) - 1) * scale);
        var parameters = Enumerable.Range(0, EncoderLayer.Count)
            .Select(p => Enumerable.Range(0, EncoderLayer.Size(p, Hidden, Intermediate)).Select(_ => p is EncoderLayer.Ln1Gamma or EncoderLayer.Ln2Gamma ? 1f : Next(0.3)).ToArray())
            .ToArray();
        var initial = new EncoderLayer(Hidden, 2, Intermediate, parameters);
        // The label is written into the first state dimension of every token, so the task can be learnt.
        var labels = Enumerable.Range(0, 96).Select(i => i % 3).ToArray();
        var states = labels.Select(l => Enumerable.Range(0, 4 * Hidden).Select(j => j % Hidden == 0 ? l - 1f : Next(1)).ToArray()).ToArray();
        var vectors = states.Select(s => new FineTunedLayer("test", initial, new float[3 * Hidden], new float[3]).Run(s).Pooled).ToArray();
        var heldOut = Enumerable.Range(0, 12).Select(i => new TuningRow(states[i], labels[i], [1 / 3.0, 1 / 3.0, 1 / 3.0], "test")).ToList();
        var options = new LayerFineTuningOptions { MaxEpochs = 3, BatchSize = 8, LayerLearningRate = 1e-3, HeadLearningRate = 1e-2, Patience = 3 };

        var one = Save(LayerFineTuning.Train(states, vectors, labels, heldOut, initial, "test", options with { Threads = 1 }, TextWriter.Null, CancellationToken.None));
        var two = LayerFineTuning.Train(states, vectors, labels, heldOut, initial, "test", options with { Threads = 2 }, TextWriter.Null, CancellationToken.None);

        Assert.Equal(one, Save(two));
        var right = Enumerable.Range(0, labels.Length).Count(i => Array.IndexOf(two.Run(states[i]).Logits, two.Run(states[i]).Logits.Max()) == labels[i]);
        Assert.True(right > 80, $"{right} of {labels.Length} right");
    }

    private static byte[] Save(FineTunedLayer layer)
    {
        using var stream = new MemoryStream();
        layer.Save(stream);
        return stream.ToArray();
    }
}
