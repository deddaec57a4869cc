using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace MarketPulse.Analysis.Embeddings;

/// <summary>
/// Reads and edits all-MiniLM-L6-v2's ONNX graph: the token states that enter its last encoder layer as an extra
/// graph output, and that layer's weights, found by the layer's parameter names
/// (<c>encoder.layer.5.attention.self.query.bias</c> ...) rather than by tensor numbers.
/// </summary>
public static class MiniLmGraph
{
    /// <summary>Index of the last encoder layer (the sixth).</summary>
    public const int LastLayer = 5;

    /// <summary>Name given to the extra output: the last layer's input token states, [batch, sequence, 384].</summary>
    public const string LastLayerInputOutput = "last_layer_input";

    private const string Prefix = "encoder.layer.5.";

    /// <summary>Adds the last layer's input token states as the graph output <see cref="LastLayerInputOutput"/> (an Identity of that tensor).</summary>
    public static byte[] ExposeLastLayerInput(ReadOnlySpan<byte> model)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        var graph = proto.Graph;
        var input = ProductOf(graph, Prefix + "attention.self.query.bias").Input[0];
        var identity = new NodeProto { Name = "Identity_" + LastLayerInputOutput, OpType = "Identity" };
        identity.Input.Add(input);
        identity.Output.Add(LastLayerInputOutput);
        graph.Node.Add(identity);
        graph.Output.Add(new ValueInfoProto
        {
            Name = LastLayerInputOutput,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
        });
        return proto.ToByteArray();
    }

    /// <summary>The name of the tensor that enters the last layer (the output of the layer below's final LayerNorm).</summary>
    public static string LastLayerInputName(ReadOnlySpan<byte> model) =>
        ProductOf(ModelProto.Parser.ParseFrom(model).Graph, Prefix + "attention.self.query.bias").Input[0];

    /// <summary>The last encoder layer's weights as <see cref="EncoderLayer"/> tensors (float32 graph only).</summary>
    public static EncoderLayer ReadLastLayer(ReadOnlySpan<byte> model)
    {
        var graph = ModelProto.Parser.ParseFrom(model).Graph;
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        float[] Named(string name) => Values(initializers[Prefix + name]);
        float[] Product(string bias) => Values(initializers[ProductOf(graph, Prefix + bias).Input[1]]);
        var parameters = new float[EncoderLayer.Count][];
        parameters[EncoderLayer.Wq] = Product("attention.self.query.bias");
        parameters[EncoderLayer.Bq] = Named("attention.self.query.bias");
        parameters[EncoderLayer.Wk] = Product("attention.self.key.bias");
        parameters[EncoderLayer.Bk] = Named("attention.self.key.bias");
        parameters[EncoderLayer.Wv] = Product("attention.self.value.bias");
        parameters[EncoderLayer.Bv] = Named("attention.self.value.bias");
        parameters[EncoderLayer.Wo] = Product("attention.output.dense.bias");
        parameters[EncoderLayer.Bo] = Named("attention.output.dense.bias");
        parameters[EncoderLayer.Ln1Gamma] = Named("attention.output.LayerNorm.weight");
        parameters[EncoderLayer.Ln1Beta] = Named("attention.output.LayerNorm.bias");
        parameters[EncoderLayer.W1] = Product("intermediate.dense.bias");
        parameters[EncoderLayer.B1] = Named("intermediate.dense.bias");
        parameters[EncoderLayer.W2] = Product("output.dense.bias");
        parameters[EncoderLayer.B2] = Named("output.dense.bias");
        parameters[EncoderLayer.Ln2Gamma] = Named("output.LayerNorm.weight");
        parameters[EncoderLayer.Ln2Beta] = Named("output.LayerNorm.bias");
        return new EncoderLayer(384, 12, 1536, parameters);
    }

    // The graph adds each bias to its weight product (Add(bias, MatMul(x, W))); returns that MatMul node.
    private static NodeProto ProductOf(GraphProto graph, string bias)
    {
        var add = graph.Node.Single(n => n.OpType == "Add" && n.Input.Contains(bias));
        var product = add.Input.Single(i => i != bias);
        return graph.Node.Single(n => n.Output.Contains(product) && n.OpType is "MatMul" or "DynamicQuantizeMatMul");
    }

    private static float[] Values(TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw new InvalidDataException($"{tensor.Name} is not float32; read the layer from the float32 graph.");
        }

        return tensor.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray() : tensor.FloatData.ToArray();
    }
}
