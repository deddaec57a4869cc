using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using MarketPulse.Analysis.Embeddings;

namespace MarketPulse.Tools.Training;

/// <summary>
/// Sentence vectors and last-layer input token states of a list of texts, computed once with the int8 graph and
/// kept in a file between runs (several hundred MB as float32), keyed by the embedder and a hash of the texts.
/// </summary>
public static class LayerStatesCache
{
    private const int Chunk = 256;
    private static readonly byte[] Magic = "MPSTATE1"u8.ToArray();

    /// <summary>Reads the file when it holds these texts, else embeds them and (when a path is given) writes it.</summary>
    public static (float[][] Vectors, float[][] States) Get(IReadOnlyList<string> texts, MiniLmEmbedder embedder, string? path, TextWriter progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(progress);
        var key = embedder.ModelId + "|" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u0001", texts))));
        if (path is not null && File.Exists(path) && TryRead(path, key, texts.Count) is { } cached)
        {
            progress.WriteLine($"token states of {texts.Count} texts read from {path}");
            return cached;
        }

        var vectors = new float[texts.Count][];
        var states = new float[texts.Count][];
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < texts.Count; start += Chunk)
        {
            ct.ThrowIfCancellationRequested();
            var count = Math.Min(Chunk, texts.Count - start);
            var (v, s) = embedder.EmbedWithLastLayerInput(texts.Skip(start).Take(count).ToList(), ct);
            Array.Copy(v, 0, vectors, start, count);
            Array.Copy(s, 0, states, start, count);
            if ((start / Chunk) % 8 == 7 || start + count == texts.Count)
            {
                progress.WriteLine($"embedded {start + count}/{texts.Count} texts with token states ({clock.Elapsed.TotalSeconds:F0} s)");
            }
        }

        if (path is not null)
        {
            using var writer = new BinaryWriter(File.Create(path));
            writer.Write(Magic);
            writer.Write(key);
            writer.Write(texts.Count);
            for (var i = 0; i < texts.Count; i++)
            {
                writer.Write(vectors[i].Length);
                writer.Write(MemoryMarshal.AsBytes(vectors[i].AsSpan()));
                writer.Write(states[i].Length);
                writer.Write(MemoryMarshal.AsBytes(states[i].AsSpan()));
            }
        }

        return (vectors, states);
    }

    private static (float[][], float[][])? TryRead(string path, string key, int count)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic) || reader.ReadString() != key || reader.ReadInt32() != count)
        {
            return null;
        }

        var vectors = new float[count][];
        var states = new float[count][];
        for (var i = 0; i < count; i++)
        {
            vectors[i] = ReadFloats(reader);
            states[i] = ReadFloats(reader);
        }

        return (vectors, states);
    }

    private static float[] ReadFloats(BinaryReader reader)
    {
        var values = new float[reader.ReadInt32()];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
