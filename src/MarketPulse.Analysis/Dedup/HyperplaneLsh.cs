using System.Numerics;
using System.Runtime.InteropServices;

namespace MarketPulse.Analysis.Dedup;

/// <summary>
/// Random-hyperplane LSH (SimHash): bit i of a signature is the sign of the vector's projection on
/// hyperplane i, so two vectors at angle θ agree on a bit with probability 1 − θ/π. Bits are grouped into
/// bands; two vectors are candidates when all bits of any band agree.
/// The hyperplanes come from our own SplitMix64 generator (System.Random's seeded sequence is not promised
/// to stay the same across .NET versions, and every worker must compute the same signatures).
/// </summary>
internal sealed class HyperplaneLsh
{
    private readonly float[] _planes;

    public HyperplaneLsh(int dimensions, int bands, int rowsPerBand, long seed)
    {
        Dimensions = dimensions;
        Bands = bands;
        RowsPerBand = rowsPerBand;
        _planes = new float[bands * rowsPerBand * dimensions];
        var state = unchecked((ulong)seed ^ ((ulong)dimensions * 0x9E3779B97F4A7C15UL));
        for (var i = 0; i < _planes.Length; i += 2)
        {
            // Box–Muller: two independent standard normal values per pair of uniforms.
            var u1 = (NextUInt64(ref state) >> 11) * (1.0 / (1UL << 53));
            var u2 = (NextUInt64(ref state) >> 11) * (1.0 / (1UL << 53));
            var r = Math.Sqrt(-2.0 * Math.Log(1.0 - u1));
            _planes[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < _planes.Length)
            {
                _planes[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
            }
        }
    }

    public int Dimensions { get; }

    public int Bands { get; }

    public int RowsPerBand { get; }

    /// <summary>One value per band, its <see cref="RowsPerBand"/> low bits being the signature bits.</summary>
    public void BandValues(ReadOnlySpan<float> vector, Span<uint> values)
    {
        if (vector.Length != Dimensions)
        {
            throw new ArgumentException($"Expected {Dimensions} dimensions, got {vector.Length}.", nameof(vector));
        }

        var plane = 0;
        for (var band = 0; band < Bands; band++)
        {
            uint value = 0;
            for (var row = 0; row < RowsPerBand; row++, plane++)
            {
                var projection = Dot(vector, _planes.AsSpan(plane * Dimensions, Dimensions));
                value = (value << 1) | (projection >= 0 ? 1u : 0u);
            }

            values[band] = value;
        }
    }

    internal static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        for (var i = 0; i < va.Length; i++)
        {
            sum += va[i] * vb[i];
        }

        var result = Vector.Sum(sum);
        for (var i = va.Length * Vector<float>.Count; i < a.Length; i++)
        {
            result += a[i] * b[i];
        }

        return result;
    }

    private static ulong NextUInt64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
