using System.Numerics.Tensors;

namespace MarketPulse.Analysis.Embeddings;

/// <summary>
/// One BERT encoder layer as all-MiniLM-L6-v2's ONNX graph computes it, with its gradient: multi-head self-attention
/// (scores divided by the square root of the head size, softmax), output product, residual and LayerNorm, a GELU
/// (erf form) feed-forward, residual and LayerNorm (epsilon 1e-12, biased variance, as the graph's ReduceMean/Pow/Sqrt).
/// Weights are stored as the graph's MatMul operands, [in, out] row-major.
/// </summary>
/// <remarks>
/// A sequence is given without its padding: the graph adds -10000 to the scores of padded keys, whose softmax
/// weight then underflows to exactly 0 in float32, so leaving them out gives the same result. The forward the
/// trainer differentiates is the one the service runs, which is why the backward pass lives here too.
/// Products use <see cref="TensorPrimitives"/> in a fixed order on one thread: the same machine gives the same bits.
/// </remarks>
public sealed class EncoderLayer
{
    /// <summary>Indexes into <see cref="Parameters"/>.</summary>
    public const int Wq = 0, Bq = 1, Wk = 2, Bk = 3, Wv = 4, Bv = 5, Wo = 6, Bo = 7, Ln1Gamma = 8, Ln1Beta = 9, W1 = 10, B1 = 11, W2 = 12, B2 = 13, Ln2Gamma = 14, Ln2Beta = 15;

    /// <summary>Number of parameter tensors.</summary>
    public const int Count = 16;

    private const float Epsilon = 1e-12f;

    /// <summary>Creates a layer over the given tensors (shapes are checked).</summary>
    public EncoderLayer(int hidden, int heads, int intermediate, float[][] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (hidden % heads != 0 || parameters.Length != Count)
        {
            throw new ArgumentException($"hidden {hidden} must divide into {heads} heads and there must be {Count} tensors.", nameof(parameters));
        }

        Hidden = hidden;
        Heads = heads;
        Intermediate = intermediate;
        Parameters = parameters;
        for (var p = 0; p < Count; p++)
        {
            if (parameters[p].Length != Size(p))
            {
                throw new ArgumentException($"tensor {p} has {parameters[p].Length} values, expected {Size(p)}.", nameof(parameters));
            }
        }
    }

    /// <summary>Width of the token states.</summary>
    public int Hidden { get; }

    /// <summary>Attention heads.</summary>
    public int Heads { get; }

    /// <summary>Width of the feed-forward layer.</summary>
    public int Intermediate { get; }

    /// <summary>The 16 tensors, indexed by the constants of this class.</summary>
    public float[][] Parameters { get; }

    /// <summary>Number of values of tensor <paramref name="index"/>.</summary>
    public int Size(int index) => Size(index, Hidden, Intermediate);

    /// <summary>Number of values of tensor <paramref name="index"/> in a layer of these widths.</summary>
    public static int Size(int index, int hidden, int intermediate) => index switch
    {
        Wq or Wk or Wv or Wo => hidden * hidden,
        W1 or W2 => hidden * intermediate,
        B1 => intermediate,
        _ => hidden,
    };

    /// <summary>A zeroed set of tensors shaped like <see cref="Parameters"/> (gradient buffers).</summary>
    public float[][] NewGradients() => Enumerable.Range(0, Count).Select(p => new float[Size(p)]).ToArray();

    /// <summary>Runs the layer over one sequence of <paramref name="length"/> token states; keeps what the backward pass needs.</summary>
    public Activations Forward(ReadOnlySpan<float> input, int length)
    {
        int h = Hidden, f = Intermediate, t = length;
        var a = new Activations(length, h, f, Heads);
        input[..(t * h)].CopyTo(a.X);
        var w = Parameters;
        Affine(a.X, t, h, w[Wq], w[Bq], h, a.Q);
        Affine(a.X, t, h, w[Wk], w[Bk], h, a.K);
        Affine(a.X, t, h, w[Wv], w[Bv], h, a.V);
        Attention(a);
        var attended = new float[t * h];
        Affine(a.Context, t, h, w[Wo], w[Bo], h, attended);
        TensorPrimitives.Add(attended, a.X, attended);
        LayerNorm(attended, t, h, w[Ln1Gamma], w[Ln1Beta], a.Normed1, a.InvStd1, a.Y1);
        Affine(a.Y1, t, h, w[W1], w[B1], f, a.Z);
        for (var i = 0; i < a.Z.Length; i++)
        {
            a.G[i] = Gelu(a.Z[i]);
        }

        var ffn = new float[t * h];
        Affine(a.G, t, f, w[W2], w[B2], h, ffn);
        TensorPrimitives.Add(ffn, a.Y1, ffn);
        LayerNorm(ffn, t, h, w[Ln2Gamma], w[Ln2Beta], a.Normed2, a.InvStd2, a.Output);
        return a;
    }

    /// <summary>
    /// Adds the gradient of the loss with respect to every parameter to <paramref name="gradients"/>, given the gradient
    /// <paramref name="outputGradient"/> with respect to the layer's output ([length, hidden]). The input gradient is not needed (the layers below are frozen).
    /// </summary>
    public void Backward(Activations a, ReadOnlySpan<float> outputGradient, float[][] gradients)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(gradients);
        int h = Hidden, f = Intermediate, t = a.Length;
        var w = Parameters;
        var g = gradients;

        // Second LayerNorm; its input was ffn + Y1.
        var dR2 = new float[t * h];
        LayerNormBackward(outputGradient, a.Normed2, a.InvStd2, t, h, w[Ln2Gamma], g[Ln2Gamma], g[Ln2Beta], dR2);
        var dY1 = (float[])dR2.Clone();
        var dG = new float[t * f];
        AffineBackward(a.G, dR2, t, f, h, w[W2], g[W2], g[B2], dG);
        var dZ = dG;
        for (var i = 0; i < dZ.Length; i++)
        {
            dZ[i] *= GeluDerivative(a.Z[i]);
        }

        AffineBackward(a.Y1, dZ, t, h, f, w[W1], g[W1], g[B1], dY1, accumulate: true);

        // First LayerNorm; its input was attended + X (X needs no gradient).
        var dR1 = new float[t * h];
        LayerNormBackward(dY1, a.Normed1, a.InvStd1, t, h, w[Ln1Gamma], g[Ln1Gamma], g[Ln1Beta], dR1);
        var dContext = new float[t * h];
        AffineBackward(a.Context, dR1, t, h, h, w[Wo], g[Wo], g[Bo], dContext);
        var dQ = new float[t * h];
        var dK = new float[t * h];
        var dV = new float[t * h];
        AttentionBackward(a, dContext, dQ, dK, dV);
        AffineBackward(a.X, dQ, t, h, h, w[Wq], g[Wq], g[Bq], null);
        AffineBackward(a.X, dK, t, h, h, w[Wk], g[Wk], g[Bk], null);
        AffineBackward(a.X, dV, t, h, h, w[Wv], g[Wv], g[Bv], null);
    }

    /// <summary>GELU as the graph computes it: 0.5 x (1 + erf(x / sqrt 2)).</summary>
    public static float Gelu(float x) => (float)(0.5 * x * (1 + Erf(x / Math.Sqrt(2))));

    private static float GeluDerivative(float x)
    {
        var cdf = 0.5 * (1 + Erf(x / Math.Sqrt(2)));
        var pdf = Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);
        return (float)(cdf + (x * pdf));
    }

    // .NET has no erf: Numerical Recipes' erfcc (a Chebyshev fit), fractional error below 1.2e-7 everywhere,
    // about float32's resolution, so the layer matches the graph's Erf to float rounding.
    private static double Erf(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        ReadOnlySpan<double> c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var poly = c[^1];
        for (var i = c.Length - 2; i >= 0; i--)
        {
            poly = c[i] + (t * poly);
        }

        var r = t * Math.Exp((-z * z) + poly);
        return x >= 0 ? 1 - r : r - 1;
    }

    // y[t, :] = b + sum_i x[t, i] W[i, :]
    private static void Affine(ReadOnlySpan<float> x, int rows, int inputs, float[] weights, float[] bias, int outputs, Span<float> y)
    {
        for (var r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * outputs, outputs);
            bias.CopyTo(yr);
            var xr = x.Slice(r * inputs, inputs);
            for (var i = 0; i < inputs; i++)
            {
                if (xr[i] != 0)
                {
                    TensorPrimitives.MultiplyAdd(weights.AsSpan(i * outputs, outputs), xr[i], yr, yr);
                }
            }
        }
    }

    // Given dy: dW += x^T dy, db += sum dy, and (when asked) dx = dy W^T (added to dx when accumulating).
    private static void AffineBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int rows, int inputs, int outputs, float[] weights, float[] dWeights, float[] dBias, Span<float> dx, bool accumulate = false)
    {
        for (var r = 0; r < rows; r++)
        {
            var dyr = dy.Slice(r * outputs, outputs);
            TensorPrimitives.Add(dBias, dyr, dBias);
            var xr = x.Slice(r * inputs, inputs);
            for (var i = 0; i < inputs; i++)
            {
                if (xr[i] != 0)
                {
                    var dw = dWeights.AsSpan(i * outputs, outputs);
                    TensorPrimitives.MultiplyAdd(dyr, xr[i], dw, dw);
                }
            }

            if (!dx.IsEmpty)
            {
                var dxr = dx.Slice(r * inputs, inputs);
                for (var i = 0; i < inputs; i++)
                {
                    var v = TensorPrimitives.Dot(dyr, weights.AsSpan(i * outputs, outputs));
                    dxr[i] = accumulate ? dxr[i] + v : v;
                }
            }
        }
    }

    private static void LayerNorm(ReadOnlySpan<float> x, int rows, int width, float[] gamma, float[] beta, Span<float> normed, Span<float> invStd, Span<float> y)
    {
        for (var r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * width, width);
            var nr = normed.Slice(r * width, width);
            var mean = TensorPrimitives.Sum(xr) / width;
            TensorPrimitives.Subtract(xr, mean, nr);
            var variance = TensorPrimitives.SumOfSquares(nr) / width;
            var inv = 1f / MathF.Sqrt(variance + Epsilon);
            invStd[r] = inv;
            TensorPrimitives.Multiply(nr, inv, nr);
            var yr = y.Slice(r * width, width);
            TensorPrimitives.Multiply(nr, gamma, yr);
            TensorPrimitives.Add(yr, beta, yr);
        }
    }

    // dx = invStd * (dn - mean(dn) - n * mean(dn * n)), dn = dy * gamma.
    private static void LayerNormBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> normed, ReadOnlySpan<float> invStd, int rows, int width, float[] gamma, float[] dGamma, float[] dBeta, Span<float> dx)
    {
        var dn = new float[width];
        for (var r = 0; r < rows; r++)
        {
            var dyr = dy.Slice(r * width, width);
            var nr = normed.Slice(r * width, width);
            TensorPrimitives.Add(dBeta, dyr, dBeta);
            TensorPrimitives.MultiplyAdd(dyr, nr, dGamma, dGamma);
            TensorPrimitives.Multiply(dyr, gamma, dn);
            var meanDn = TensorPrimitives.Sum(dn) / width;
            var meanDnN = TensorPrimitives.Dot(dn, nr) / width;
            var dxr = dx.Slice(r * width, width);
            for (var i = 0; i < width; i++)
            {
                dxr[i] = invStd[r] * (dn[i] - meanDn - (nr[i] * meanDnN));
            }
        }
    }

    private void Attention(Activations a)
    {
        int t = a.Length, h = Hidden, d = Hidden / Heads;
        var scale = 1f / MathF.Sqrt(d);
        var q = a.Q.AsSpan();
        var k = a.K.AsSpan();
        var v = a.V.AsSpan();
        for (var head = 0; head < Heads; head++)
        {
            var offset = head * d;
            for (var i = 0; i < t; i++)
            {
                var p = a.Probabilities.AsSpan(((head * t) + i) * t, t);
                var qi = q.Slice((i * h) + offset, d);
                for (var j = 0; j < t; j++)
                {
                    p[j] = TensorPrimitives.Dot(qi, k.Slice((j * h) + offset, d)) * scale;
                }

                TensorPrimitives.SoftMax(p, p);
                var ci = a.Context.AsSpan((i * h) + offset, d);
                for (var j = 0; j < t; j++)
                {
                    TensorPrimitives.MultiplyAdd(v.Slice((j * h) + offset, d), p[j], ci, ci);
                }
            }
        }
    }

    private void AttentionBackward(Activations a, ReadOnlySpan<float> dContext, Span<float> dQ, Span<float> dK, Span<float> dV)
    {
        int t = a.Length, h = Hidden, d = Hidden / Heads;
        var scale = 1f / MathF.Sqrt(d);
        var q = a.Q.AsSpan();
        var k = a.K.AsSpan();
        var v = a.V.AsSpan();
        var dp = new float[t];
        for (var head = 0; head < Heads; head++)
        {
            var offset = head * d;
            for (var i = 0; i < t; i++)
            {
                var p = a.Probabilities.AsSpan(((head * t) + i) * t, t);
                var dci = dContext.Slice((i * h) + offset, d);
                for (var j = 0; j < t; j++)
                {
                    dp[j] = TensorPrimitives.Dot(dci, v.Slice((j * h) + offset, d));
                    var dvj = dV.Slice((j * h) + offset, d);
                    TensorPrimitives.MultiplyAdd(dci, p[j], dvj, dvj);
                }

                // softmax backward: ds = p (dp - sum p dp), then the 1/sqrt(d) of the scores.
                var pdp = TensorPrimitives.Dot(p, dp);
                var qi = q.Slice((i * h) + offset, d);
                var dqi = dQ.Slice((i * h) + offset, d);
                for (var j = 0; j < t; j++)
                {
                    var ds = p[j] * (dp[j] - pdp) * scale;
                    if (ds == 0)
                    {
                        continue;
                    }

                    TensorPrimitives.MultiplyAdd(k.Slice((j * h) + offset, d), ds, dqi, dqi);
                    var dkj = dK.Slice((j * h) + offset, d);
                    TensorPrimitives.MultiplyAdd(qi, ds, dkj, dkj);
                }
            }
        }
    }

    /// <summary>What one forward pass keeps for the backward pass; <see cref="Output"/> is the layer's result.</summary>
    public sealed class Activations
    {
        internal Activations(int length, int hidden, int intermediate, int heads)
        {
            Length = length;
            X = new float[length * hidden];
            Q = new float[length * hidden];
            K = new float[length * hidden];
            V = new float[length * hidden];
            Probabilities = new float[heads * length * length];
            Context = new float[length * hidden];
            Normed1 = new float[length * hidden];
            InvStd1 = new float[length];
            Y1 = new float[length * hidden];
            Z = new float[length * intermediate];
            G = new float[length * intermediate];
            Normed2 = new float[length * hidden];
            InvStd2 = new float[length];
            Output = new float[length * hidden];
        }

        /// <summary>Tokens in the sequence.</summary>
        public int Length { get; }

        /// <summary>The layer's output token states, [length, hidden].</summary>
        public float[] Output { get; }

        internal float[] X { get; }

        internal float[] Q { get; }

        internal float[] K { get; }

        internal float[] V { get; }

        internal float[] Probabilities { get; }

        internal float[] Context { get; }

        internal float[] Normed1 { get; }

        internal float[] InvStd1 { get; }

        internal float[] Y1 { get; }

        internal float[] Z { get; }

        internal float[] G { get; }

        internal float[] Normed2 { get; }

        internal float[] InvStd2 { get; }
    }
}
