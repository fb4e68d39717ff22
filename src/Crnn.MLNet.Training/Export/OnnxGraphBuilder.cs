using System.Buffers.Binary;
using Google.Protobuf;
using Onnx;

namespace Crnn.MLNet.Training.Export;

/// <summary>
/// Appends nodes, initializers and typed graph inputs/outputs to an ONNX <see cref="GraphProto"/>,
/// refusing to define any value name twice (ONNX graphs are in single static assignment form).
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> definedNames = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(string graphName) => Graph = new GraphProto { Name = graphName };

    public GraphProto Graph { get; }

    /// <summary>Whether a value (graph input, initializer or node output) of this name exists.</summary>
    public bool IsDefined(string name) => definedNames.Contains(name);

    /// <summary>A float32 graph input or output type; a <c>null</c> entry in <paramref name="dims"/> uses <paramref name="symbolicDim"/>.</summary>
    public static ValueInfoProto FloatValueInfo(string name, IReadOnlyList<long?> dims, string symbolicDim, string? doc = null)
    {
        var shape = new TensorShapeProto();
        foreach (long? d in dims)
            shape.Dim.Add(d is long v ? new TensorShapeProto.Types.Dimension { DimValue = v } : new TensorShapeProto.Types.Dimension { DimParam = symbolicDim });
        var info = new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
        if (doc is not null) info.DocString = doc;
        return info;
    }

    public void AddInput(ValueInfoProto input)
    {
        Define(input.Name);
        Graph.Input.Add(input);
    }

    /// <summary>Declares an already defined value as a graph output.</summary>
    public void AddOutput(ValueInfoProto output)
    {
        if (!IsDefined(output.Name)) throw new InvalidOperationException($"graph output '{output.Name}' is not produced by any node");
        Graph.Output.Add(output);
    }

    /// <summary>A float32 initializer of the given shape, stored little-endian in <c>raw_data</c>.</summary>
    public string AddInitializer(string name, float[] values, params long[] dims)
    {
        CheckCount(name, values.LongLength, dims);
        return AddTensor(name, TensorProto.Types.DataType.Float, LittleEndian(values, sizeof(float), BinaryPrimitives.WriteSingleLittleEndian), dims);
    }

    /// <summary>An int64 initializer (shapes for Reshape), stored little-endian in <c>raw_data</c>.</summary>
    public string AddInt64Initializer(string name, long[] values)
    {
        return AddTensor(name, TensorProto.Types.DataType.Int64, LittleEndian(values, sizeof(long), BinaryPrimitives.WriteInt64LittleEndian), values.Length);
    }

    /// <summary>An int8 initializer (quantised weights and their zero points).</summary>
    public string AddInt8Initializer(string name, sbyte[] values, params long[] dims)
    {
        CheckCount(name, values.LongLength, dims);
        return AddTensor(name, TensorProto.Types.DataType.Int8, ByteString.CopyFrom((byte[])(Array)values), dims);
    }

    /// <summary>A uint8 initializer (activation zero points).</summary>
    public string AddUInt8Initializer(string name, byte[] values, params long[] dims)
    {
        CheckCount(name, values.LongLength, dims);
        return AddTensor(name, TensorProto.Types.DataType.Uint8, ByteString.CopyFrom(values), dims);
    }

    /// <summary>An int32 initializer (quantised biases), stored little-endian in <c>raw_data</c>.</summary>
    public string AddInt32Initializer(string name, int[] values, params long[] dims)
    {
        CheckCount(name, values.LongLength, dims);
        return AddTensor(name, TensorProto.Types.DataType.Int32, LittleEndian(values, sizeof(int), BinaryPrimitives.WriteInt32LittleEndian), dims);
    }

    /// <summary>An initializer taken as it is (copied from another model).</summary>
    public void AddInitializer(TensorProto tensor)
    {
        Define(tensor.Name);
        Graph.Initializer.Add(tensor);
    }

    private delegate void ValueWriter<T>(Span<byte> destination, T value);

    /// <summary>The values one after the other, each <paramref name="size"/> bytes little-endian (ONNX's <c>raw_data</c> layout).</summary>
    private static ByteString LittleEndian<T>(T[] values, int size, ValueWriter<T> write)
    {
        var bytes = new byte[values.Length * size];
        for (int i = 0; i < values.Length; i++) write(bytes.AsSpan(i * size), values[i]);
        return ByteString.CopyFrom(bytes);
    }

    private string AddTensor(string name, TensorProto.Types.DataType type, ByteString raw, params long[] dims)
    {
        Define(name);
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = raw };
        tensor.Dims.Add(dims);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>
    /// Adds a node. Every non-empty input must already be defined (nodes are appended in topological
    /// order); an empty string stands for an omitted optional input or output.
    /// </summary>
    public NodeProto AddNode(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        foreach (string input in inputs)
        {
            if (input.Length > 0 && !IsDefined(input))
                throw new InvalidOperationException($"node '{name}' reads '{input}', which is not defined yet");
            node.Input.Add(input);
        }
        foreach (string output in outputs)
        {
            if (output.Length > 0) Define(output);
            node.Output.Add(output);
        }
        node.Attribute.Add(attributes);
        Graph.Node.Add(node);
        return node;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.Add(values);
        return a;
    }

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private void Define(string name)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("ONNX value names must not be empty", nameof(name));
        if (!definedNames.Add(name)) throw new DuplicateOnnxNameException(name);
    }

    private static void CheckCount(string name, long count, long[] dims)
    {
        long expected = dims.Aggregate(1L, (a, d) => a * d);
        if (expected != count)
            throw new InvalidOperationException($"initializer '{name}' has {count} values, but shape [{string.Join(",", dims)}] needs {expected}");
    }
}
