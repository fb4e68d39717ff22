using System.Buffers.Binary;
using Crnn.MLNet.Training.Export;
using Onnx;
using static Crnn.MLNet.Training.Export.OnnxGraphBuilder;

namespace Crnn.MLNet.Training.Quantization;

/// <summary>
/// Rewrites a float CRNN graph into ONNX's QDQ form, which ONNX Runtime fuses into integer kernels:
/// <code>
/// input -> Q -> DQ -> Conv (int8 weights per output channel, int32 bias, both through DQ) -> Relu -> Q -> DQ
///   -> MaxPool -> Q -> DQ -> ... -> Transpose/Reshape -> Q -> DQ -> LSTM (float, or DynamicQuantizeLSTM) -> Gemm -> Softmax
/// </code>
/// Activations are uint8 per tensor (a ReLU output from 0, its threshold from calibration; MaxPool, Transpose and
/// Reshape keep their input's scale, so ONNX Runtime runs them on uint8); weights are symmetric int8 per output channel.
/// The classifier head stays in float: it is a few thousand multiply-adds.
/// </summary>
internal static class QdqModelBuilder
{
    public const string MicrosoftDomain = "com.microsoft";

    /// <param name="model">The float model, as crnn writes it (batch norm folded into the convolutions).</param>
    /// <param name="inputRange">The graph input's value range (from the model's normalisation).</param>
    /// <param name="thresholds">Calibrated upper bound of each ReLU output that follows a Conv, by tensor name.</param>
    public static ModelProto Build(ModelProto model, (float Min, float Max) inputRange, IReadOnlyDictionary<string, float> thresholds,
        int weightBits, bool dynamicRecurrent)
    {
        var source = model.Graph;
        var initializers = source.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var g = new OnnxGraphBuilder(source.Name);
        g.Graph.DocString = source.DocString;
        // Float tensor -> its Q/DQ parameters; readers of a quantised tensor read its DQ output, Dequantized(tensor).
        var quantised = new Dictionary<string, Scale>(StringComparer.Ordinal);

        string Ref(string name)
        {
            if (name.Length == 0) return name;
            if (quantised.ContainsKey(name)) return Dequantized(name);
            if (!g.IsDefined(name) && initializers.TryGetValue(name, out var init)) g.AddInitializer(init.Clone());
            return name;
        }

        void AddQdq(string tensor, Scale scale)
        {
            g.AddNode("QuantizeLinear", $"{tensor}.quantize", [tensor, scale.ScaleName, scale.ZeroPointName], [$"{tensor}.q"]);
            g.AddNode("DequantizeLinear", $"{tensor}.dequantize", [$"{tensor}.q", scale.ScaleName, scale.ZeroPointName], [Dequantized(tensor)]);
            quantised[tensor] = scale;
        }

        Scale NewScale(string tensor, float scale, byte zeroPoint)
        {
            g.AddInitializer($"{tensor}.scale", [scale]);
            g.AddUInt8Initializer($"{tensor}.zero_point", [zeroPoint]);
            return new Scale($"{tensor}.scale", $"{tensor}.zero_point", scale);
        }

        foreach (var input in source.Input)
        {
            if (initializers.ContainsKey(input.Name)) continue;
            g.AddInput(input.Clone());
            var (lo, hi) = inputRange;
            float scale = (hi - lo) / (ActivationHistogram.Levels - 1);
            byte zeroPoint = (byte)Math.Clamp(Math.Round(-lo / scale), 0, 255);
            AddQdq(input.Name, NewScale(input.Name, scale, zeroPoint));
        }

        bool usedMicrosoftDomain = false;
        foreach (var node in source.Node)
        {
            string first = node.Input.Count > 0 ? node.Input[0] : "";
            switch (node.OpType)
            {
                case "Conv" when quantised.TryGetValue(first, out var xScale) && node.Input.Count >= 2 && initializers.ContainsKey(node.Input[1]):
                    AddConv(g, node, Dequantized(first), xScale.Value, initializers, weightBits);
                    break;
                case "Relu" when thresholds.TryGetValue(node.Output[0], out float threshold):
                    Copy(g, node, Ref);
                    AddQdq(node.Output[0], NewScale(node.Output[0], threshold / (ActivationHistogram.Levels - 1), 0));
                    break;
                case "MaxPool" or "Transpose" or "Reshape" when quantised.TryGetValue(first, out var inherited) && node.Output.Count == 1:
                    Copy(g, node, Ref);
                    AddQdq(node.Output[0], inherited);
                    break;
                case "LSTM" when dynamicRecurrent && node.Input.Count >= 3 && initializers.ContainsKey(node.Input[1]) && initializers.ContainsKey(node.Input[2]):
                    AddDynamicLstm(g, node, Ref, initializers, weightBits);
                    usedMicrosoftDomain = true;
                    break;
                default:
                    Copy(g, node, Ref);
                    break;
            }
        }
        foreach (var output in source.Output) g.AddOutput(output.Clone());

        var result = new ModelProto
        {
            IrVersion = model.IrVersion,
            ProducerName = model.ProducerName,
            ProducerVersion = model.ProducerVersion,
            DocString = model.DocString,
            Graph = g.Graph,
        };
        result.OpsetImport.AddRange(model.OpsetImport.Select(o => o.Clone()));
        if (usedMicrosoftDomain && result.OpsetImport.All(o => o.Domain != MicrosoftDomain))
            result.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        result.MetadataProps.AddRange(model.MetadataProps.Select(p => p.Clone()));
        return result;
    }

    private static string Dequantized(string tensor) => $"{tensor}.dq";

    /// <summary>The Q/DQ parameters of one tensor: initializer names, and the scale's value.</summary>
    private sealed record Scale(string ScaleName, string ZeroPointName, float Value);

    private static void Copy(OnnxGraphBuilder g, NodeProto node, Func<string, string> reference)
    {
        var copy = g.AddNode(node.OpType, node.Name, node.Input.Select(reference).ToList(), node.Output, node.Attribute.Select(a => a.Clone()).ToArray());
        copy.Domain = node.Domain;
    }

    /// <summary>Conv on the DQ of its input, with per-output-channel int8 weights and an int32 bias in the scale input x weight.</summary>
    private static void AddConv(OnnxGraphBuilder g, NodeProto node, string input, float inputScale, Dictionary<string, TensorProto> initializers, int weightBits)
    {
        var weight = initializers[node.Input[1]];
        long outChannels = weight.Dims[0];
        float[] w = Floats(weight);
        int perChannel = (int)(w.Length / outChannels);
        var (q, scales) = QuantizeRows(w, (int)outChannels, perChannel, weightBits);
        string p = node.Name;
        g.AddInt8Initializer($"{p}.weight.int8", q, weight.Dims.ToArray());
        g.AddInitializer($"{p}.weight.scale", scales, outChannels);
        g.AddInt8Initializer($"{p}.weight.zero_point", new sbyte[outChannels], outChannels);
        g.AddNode("DequantizeLinear", $"{p}.weight.dequantize", [$"{p}.weight.int8", $"{p}.weight.scale", $"{p}.weight.zero_point"], [$"{p}.weight.dq"], Int("axis", 0));
        var inputs = new List<string> { input, $"{p}.weight.dq" };
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            float[] bias = Floats(initializers[node.Input[2]]);
            var biasScales = new float[outChannels];
            var biasQ = new int[outChannels];
            for (int c = 0; c < outChannels; c++)
            {
                biasScales[c] = inputScale * scales[c];
                biasQ[c] = (int)Math.Clamp(Math.Round(bias[c] / biasScales[c]), int.MinValue + 1, int.MaxValue);
            }
            g.AddInt32Initializer($"{p}.bias.int32", biasQ, outChannels);
            g.AddInitializer($"{p}.bias.scale", biasScales, outChannels);
            g.AddInt32Initializer($"{p}.bias.zero_point", new int[outChannels], outChannels);
            g.AddNode("DequantizeLinear", $"{p}.bias.dequantize", [$"{p}.bias.int32", $"{p}.bias.scale", $"{p}.bias.zero_point"], [$"{p}.bias.dq"], Int("axis", 0));
            inputs.Add($"{p}.bias.dq");
        }
        g.AddNode("Conv", p, inputs, node.Output, node.Attribute.Select(a => a.Clone()).ToArray());
    }

    /// <summary>
    /// LSTM as com.microsoft.DynamicQuantizeLSTM: W [dirs, 4H, I] and R [dirs, 4H, H] become int8 [dirs, I, 4H] and
    /// [dirs, H, 4H] (the layout that operator reads) with one scale per gate row; X is quantised at run time.
    /// </summary>
    private static void AddDynamicLstm(OnnxGraphBuilder g, NodeProto node, Func<string, string> reference, Dictionary<string, TensorProto> initializers, int weightBits)
    {
        string p = node.Name;
        (string Q, string Scale, string ZeroPoint) Pack(string name, string suffix)
        {
            var t = initializers[name];
            int dirs = (int)t.Dims[0], rows = (int)t.Dims[1], columns = (int)t.Dims[2];
            float[] values = Floats(t);
            var (q, scales) = QuantizeRows(values, dirs * rows, columns, weightBits);
            var transposed = new sbyte[q.Length];
            for (int d = 0; d < dirs; d++)
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < columns; c++)
                        transposed[((long)d * columns + c) * rows + r] = q[((long)d * rows + r) * columns + c];
            g.AddInt8Initializer($"{p}.{suffix}.int8", transposed, dirs, columns, rows);
            g.AddInitializer($"{p}.{suffix}.scale", scales, dirs, rows);
            g.AddInt8Initializer($"{p}.{suffix}.zero_point", new sbyte[dirs * rows], dirs, rows);
            return ($"{p}.{suffix}.int8", $"{p}.{suffix}.scale", $"{p}.{suffix}.zero_point");
        }
        var w = Pack(node.Input[1], "W");
        var r = Pack(node.Input[2], "R");
        string Optional(int i) => i < node.Input.Count ? reference(node.Input[i]) : "";
        var inputs = new List<string>
        {
            reference(node.Input[0]), w.Q, r.Q, Optional(3), Optional(4), Optional(5), Optional(6), Optional(7),
            w.Scale, w.ZeroPoint, r.Scale, r.ZeroPoint,
        };
        var lstm = g.AddNode("DynamicQuantizeLSTM", p, inputs, node.Output, node.Attribute.Select(a => a.Clone()).ToArray());
        lstm.Domain = MicrosoftDomain;
    }

    /// <summary>Symmetric int8 per row: scale = max |row| / (2^(bits-1) - 1), values rounded and clamped to that range.</summary>
    internal static (sbyte[] Values, float[] Scales) QuantizeRows(float[] values, int rows, int columns, int bits)
    {
        int limit = (1 << (bits - 1)) - 1;
        var q = new sbyte[values.Length];
        var scales = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            var row = values.AsSpan(r * columns, columns);
            float max = 0;
            foreach (float v in row) max = Math.Max(max, Math.Abs(v));
            float scale = max > 0 ? max / limit : 1f;
            scales[r] = scale;
            for (int c = 0; c < columns; c++)
                q[r * columns + c] = (sbyte)Math.Clamp((int)MathF.Round(row[c] / scale), -limit, limit);
        }
        return (q, scales);
    }

    /// <summary>A float32 initializer's values, from raw_data or float_data.</summary>
    internal static float[] Floats(TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            throw new InvalidDataException($"initializer '{tensor.Name}': expected float32, got ONNX type {tensor.DataType}.");
        if (tensor.FloatData.Count > 0) return tensor.FloatData.ToArray();
        var raw = tensor.RawData.Span;
        var values = new float[raw.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
        return values;
    }
}
