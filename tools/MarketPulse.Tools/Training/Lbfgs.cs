namespace MarketPulse.Tools.Training;

/// <summary>
/// Limited-memory BFGS with a backtracking (Armijo) line search, for smooth convex objectives such as
/// L2-regularised logistic regression. Deterministic: plain loops in a fixed order.
/// </summary>
internal static class Lbfgs
{
    /// <summary>Objective: writes the gradient at <c>x</c> into <c>gradient</c> and returns the value.</summary>
    public delegate double Objective(double[] x, double[] gradient);

    public static double Minimize(double[] x, Objective f, int maxIterations, int memory, double tolerance, Action<int, double>? onIteration, CancellationToken cancellationToken)
    {
        var n = x.Length;
        var g = new double[n];
        var value = f(x, g);
        var s = new List<double[]>();
        var y = new List<double[]>();
        var rho = new List<double>();
        var direction = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var alpha = new double[memory];

        for (var iteration = 1; iteration <= maxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Two-loop recursion: direction = -H g.
            Array.Copy(g, direction, n);
            for (var i = s.Count - 1; i >= 0; i--)
            {
                alpha[i] = rho[i] * Dot(s[i], direction);
                Axpy(-alpha[i], y[i], direction);
            }

            if (s.Count > 0)
            {
                var last = s.Count - 1;
                Scale(direction, Dot(s[last], y[last]) / Dot(y[last], y[last]));
            }
            else
            {
                Scale(direction, 1.0 / Math.Max(1e-12, Math.Sqrt(Dot(g, g))));
            }

            for (var i = 0; i < s.Count; i++)
            {
                var beta = rho[i] * Dot(y[i], direction);
                Axpy(alpha[i] - beta, s[i], direction);
            }

            Scale(direction, -1);
            var slope = Dot(g, direction);
            if (slope >= 0)
            {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                s.Clear();
                y.Clear();
                rho.Clear();
                Array.Copy(g, direction, n);
                Scale(direction, -1.0 / Math.Max(1e-12, Math.Sqrt(Dot(g, g))));
                slope = Dot(g, direction);
            }

            var step = 1.0;
            double newValue;
            while (true)
            {
                for (var i = 0; i < n; i++)
                {
                    xNew[i] = x[i] + (step * direction[i]);
                }

                newValue = f(xNew, gNew);
                if (newValue <= value + (1e-4 * step * slope) || step < 1e-10)
                {
                    break;
                }

                step *= 0.5;
            }

            var sk = new double[n];
            var yk = new double[n];
            for (var i = 0; i < n; i++)
            {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
            }

            var sy = Dot(sk, yk);
            if (sy > 1e-12)
            {
                if (s.Count == memory)
                {
                    s.RemoveAt(0);
                    y.RemoveAt(0);
                    rho.RemoveAt(0);
                }

                s.Add(sk);
                y.Add(yk);
                rho.Add(1.0 / sy);
            }

            var improvement = value - newValue;
            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            value = newValue;
            onIteration?.Invoke(iteration, value);
            if (improvement < tolerance * Math.Max(1.0, Math.Abs(value)))
            {
                break;
            }
        }

        return value;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static void Scale(double[] x, double a)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] *= a;
        }
    }
}
