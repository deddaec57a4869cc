namespace MarketPulse.Tools.Benchmarks;

/// <summary>Random unit vectors and planted near copies at a chosen cosine, for tests and the benchmark.</summary>
public static class SyntheticVectors
{
    /// <summary>A uniformly random direction (normalised Gaussian vector).</summary>
    public static float[] RandomUnit(Random random, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(random);
        var v = new double[dimensions];
        for (var i = 0; i < dimensions; i += 2)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var r = Math.Sqrt(-2.0 * Math.Log(u1));
            v[i] = r * Math.Cos(2 * Math.PI * u2);
            if (i + 1 < dimensions)
            {
                v[i + 1] = r * Math.Sin(2 * Math.PI * u2);
            }
        }

        return ToUnitFloats(v);
    }

    /// <summary>
    /// v' = s·v + sqrt(1 − s²)·u with u a random unit vector orthogonal to <paramref name="unit"/>,
    /// so that cos(v, v') = <paramref name="similarity"/> (up to float32 rounding).
    /// </summary>
    public static float[] AtSimilarity(Random random, float[] unit, double similarity)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Math.Abs(similarity), 1.0);
        var w = RandomUnit(random, unit.Length);
        var dot = Cosine(w, unit);
        var u = new double[unit.Length];
        double norm = 0;
        for (var i = 0; i < u.Length; i++)
        {
            u[i] = w[i] - (dot * unit[i]);
            norm += u[i] * u[i];
        }

        norm = Math.Sqrt(norm);
        var t = Math.Sqrt(1 - (similarity * similarity));
        var result = new double[unit.Length];
        for (var i = 0; i < u.Length; i++)
        {
            result[i] = (similarity * unit[i]) + (t * u[i] / norm);
        }

        return ToUnitFloats(result);
    }

    /// <summary>Cosine of two vectors, computed in double precision.</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    private static float[] ToUnitFloats(double[] v)
    {
        double norm = 0;
        foreach (var x in v)
        {
            norm += x * x;
        }

        norm = Math.Sqrt(norm);
        var result = new float[v.Length];
        for (var i = 0; i < v.Length; i++)
        {
            result[i] = (float)(v[i] / norm);
        }

        return result;
    }
}
