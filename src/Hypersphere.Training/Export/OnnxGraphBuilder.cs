using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Hypersphere.Training.Export.Onnx;

namespace Hypersphere.Training.Export;

/// <summary>
/// Appends nodes, initializers and typed inputs/outputs to an ONNX <see cref="GraphProto"/>, so the
/// exporter reads as the sequence of layers it writes. Only float tensors are needed.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    public OnnxGraphBuilder(string name) => Graph = new GraphProto { Name = name };

    public GraphProto Graph { get; }

    /// <summary>A float32 weight stored as little-endian raw_data; returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var expected = dims.Aggregate(1L, (a, d) => a * d);
        if (expected != values.Length)
        {
            throw new ArgumentException($"initializer {name} has shape [{string.Join(", ", dims)}] ({expected} values), but {values.Length} values were given", nameof(values));
        }

        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = LittleEndian(values) };
        tensor.Dims.Add(dims);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a default-domain node whose single output is named <paramref name="output"/>; returns that name.</summary>
    public string Node(string opType, string output, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{Graph.Node.Count}" };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        Graph.Node.Add(node);
        return output;
    }

    /// <summary>Declares a graph input of float type; a string dimension is symbolic, a number fixed.</summary>
    public void Input(string name, params object[] dims) => Graph.Input.Add(FloatValue(name, dims));

    /// <summary>Declares a graph output of float type.</summary>
    public void Output(string name, params object[] dims) => Graph.Output.Add(FloatValue(name, dims));

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static ValueInfoProto FloatValue(string name, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                long size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"dimension of {name} must be a symbol or a size, but was {dim}", nameof(dims)),
            });
        }

        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape };
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    /// <summary>ONNX raw_data is little-endian whatever the machine; swap only on a big-endian one.</summary>
    private static ByteString LittleEndian(ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            return ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        }

        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return ByteString.CopyFrom(bytes);
    }
}
