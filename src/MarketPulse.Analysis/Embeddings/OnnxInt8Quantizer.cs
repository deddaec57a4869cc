using Google.Protobuf;
using Onnx;

namespace MarketPulse.Analysis.Embeddings;

/// <summary>
/// Rewrites the weight products of an ONNX graph (MatMul whose second input is a 2-D float initializer) into
/// ONNX Runtime's <c>com.microsoft</c> DynamicQuantizeMatMul: int8 weights with one symmetric scale per output
/// column, activations quantised per tensor at run time. This is what ONNX Runtime's own (Python-only) dynamic
/// quantiser emits; written here because that tool cannot run on these machines. Deterministic: the same
/// model bytes give the same output bytes.
/// </summary>
public static class OnnxInt8Quantizer
{
    private const string MicrosoftDomain = "com.microsoft";

    /// <summary>Returns the quantised model; <paramref name="quantize"/> picks the products by weight shape (rows, columns).</summary>
    /// <returns>The new model bytes and how many products were quantised.</returns>
    public static (byte[] Model, int Quantized) Quantize(ReadOnlySpan<byte> model, Func<long, long, bool>? quantize = null)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        var graph = proto.Graph;
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var quantized = 0;
        for (var n = 0; n < graph.Node.Count; n++)
        {
            var node = graph.Node[n];
            if (node.OpType != "MatMul" || !string.IsNullOrEmpty(node.Domain)
                || !initializers.TryGetValue(node.Input[1], out var weight)
                || weight.Dims.Count != 2 || weight.DataType != (int)TensorProto.Types.DataType.Float)
            {
                continue;
            }

            if (quantize is not null && !quantize(weight.Dims[0], weight.Dims[1]))
            {
                continue;
            }

            var (values, scales) = QuantizeColumns(weight);
            graph.Initializer.Remove(weight);
            graph.Initializer.Add(values);
            graph.Initializer.Add(scales);
            var replacement = new NodeProto { Name = node.Name + "_int8", OpType = "DynamicQuantizeMatMul", Domain = MicrosoftDomain };
            replacement.Input.Add(node.Input[0]);
            replacement.Input.Add(values.Name);
            replacement.Input.Add(scales.Name);
            replacement.Output.Add(node.Output[0]);
            graph.Node[n] = replacement;
            quantized++;
        }

        if (quantized > 0 && proto.OpsetImport.All(o => o.Domain != MicrosoftDomain))
        {
            proto.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }

        return (proto.ToByteArray(), quantized);
    }

    private static (TensorProto Values, TensorProto Scales) QuantizeColumns(TensorProto weight)
    {
        var rows = checked((int)weight.Dims[0]);
        var columns = checked((int)weight.Dims[1]);
        var w = new float[rows * columns];
        if (weight.RawData.Length == w.Length * sizeof(float))
        {
            weight.RawData.Span.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(w.AsSpan()));
        }
        else
        {
            weight.FloatData.CopyTo(w, 0);
        }

        var scale = new float[columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                scale[c] = Math.Max(scale[c], Math.Abs(w[(r * columns) + c]));
            }
        }

        for (var c = 0; c < columns; c++)
        {
            scale[c] = scale[c] == 0 ? 1f : scale[c] / 127f;
        }

        var q = new byte[w.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var i = (r * columns) + c;
                q[i] = unchecked((byte)(sbyte)Math.Clamp((int)MathF.Round(w[i] / scale[c]), -127, 127));
            }
        }

        var values = new TensorProto { Name = weight.Name + "_int8", DataType = (int)TensorProto.Types.DataType.Int8, RawData = ByteString.CopyFrom(q) };
        values.Dims.Add(rows);
        values.Dims.Add(columns);
        var scales = new TensorProto
        {
            Name = weight.Name + "_scale",
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(scale.AsSpan())),
        };
        scales.Dims.Add(columns);
        return (values, scales);
    }
}
