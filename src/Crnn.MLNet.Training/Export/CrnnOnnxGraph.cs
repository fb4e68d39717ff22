using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Model;
using Onnx;
using static Crnn.MLNet.Training.Export.OnnxGraphBuilder;

namespace Crnn.MLNet.Training.Export;

/// <summary>
/// Lays out the ONNX graph of a CRNN classifier from its weights:
/// <code>
/// input [N,1,H,W]
///   per block b, conv i: Conv 3x3 pad 1 (batch norm folded in) -> Relu;  then MaxPool (PoolOf(b))
///   Transpose perm [3,0,1,2] -> Reshape [0,0,C*H]                        sequence [W', N, C*H']
///   per layer k: LSTM/GRU bidirectional -> Y [T,2,N,H], Y_h [2,N,H]
///     (between layers: Y -> Transpose [0,2,1,3] -> Reshape [0,0,2H])
///   last Y_h -> Transpose [1,0,2] -> Reshape [0,-1]                      [N, 2H] (forward | backward)
///   Gemm transB=1 -> logits [N,C];  Softmax axis=1 -> probabilities [N,C]
/// </code>
/// Dropout is the identity at inference and is omitted.
/// </summary>
internal static class CrnnOnnxGraph
{
    /// <summary>Name of the symbolic batch dimension.</summary>
    public const string BatchDim = "batch";

    public static ModelProto Build(CrnnWeights weights, CrnnModelMetadata metadata, Action<string, double>? report = null)
    {
        var arch = weights.Architecture;
        var g = new OnnxGraphBuilder("crnn");
        g.Graph.DocString = DocString(arch, metadata);
        string input = metadata.Input.Name;
        g.AddInput(FloatValueInfo(input, [null, 1, arch.InputHeight, arch.InputWidth], BatchDim,
            string.Create(CultureInfo.InvariantCulture,
                $"N x 1 x {arch.InputHeight} x {arch.InputWidth} float32, (pixel/255 - {metadata.Normalization.Mean}) / {metadata.Normalization.Std}, ink bright")));

        int steps = weights.Blocks.Count + weights.RecurrentLayers.Count + 1, step = 0;
        void Done(string stage) => report?.Invoke(stage, (double)++step / steps);

        string x = AddConvBlocks(g, weights, input, Done);
        x = AddSequence(g, arch, x);
        string hidden = AddRecurrentLayers(g, weights, x, keepLastOutput: false, Done).Hidden;

        // Head: last layer's final states [2, N, H] -> [N, 2, H] -> [N, 2H] (forward, backward) -> linear -> softmax.
        g.AddNode("Transpose", "head.states", [hidden], ["head.states"], Ints("perm", 1, 0, 2));
        g.AddInt64Initializer("head.shape", [0, -1]);
        g.AddNode("Reshape", "head.features", ["head.states", "head.shape"], ["head.features"]);
        g.AddInitializer("classifier.weight", weights.ClassifierWeight, arch.ClassCount, 2L * arch.RecurrentHidden);
        g.AddInitializer("classifier.bias", weights.ClassifierBias, arch.ClassCount);
        string logits = metadata.Output.Logits, probabilities = metadata.Output.Probabilities;
        g.AddNode("Gemm", "classifier", ["head.features", "classifier.weight", "classifier.bias"], [logits],
            Int("transB", 1));
        g.AddNode("Softmax", "softmax", [logits], [probabilities], Int("axis", 1));
        g.AddOutput(FloatValueInfo(logits, [null, arch.ClassCount], BatchDim, $"N x {arch.ClassCount} class scores (before softmax)"));
        g.AddOutput(FloatValueInfo(probabilities, [null, arch.ClassCount], BatchDim, $"N x {arch.ClassCount} class probabilities, in label order"));
        Done("classifier");

        var model = new ModelProto
        {
            IrVersion = CrnnOnnxExporter.IrVersion,
            ProducerName = CrnnOnnxExporter.ProducerName,
            ProducerVersion = ProducerVersion(),
            DocString = g.Graph.DocString,
            Graph = g.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = CrnnOnnxExporter.OpsetVersion });
        AddProperty(model, CrnnModelMetadata.MetadataKey, metadata.ToJson());
        AddProperty(model, "crnn.labels", JsonSerializer.Serialize(metadata.Labels));
        AddProperty(model, "crnn.architecture", arch.ToString());
        return model;
    }

    /// <summary>Conv 3x3 (batch norm folded) + Relu per conv, MaxPool per block; returns the feature map's name.</summary>
    internal static string AddConvBlocks(OnnxGraphBuilder g, CrnnWeights weights, string input, Action<string> done)
    {
        string x = input;
        for (int b = 0; b < weights.Blocks.Count; b++)
        {
            var block = weights.Blocks[b];
            for (int i = 0; i < block.Convs.Count; i++)
            {
                var conv = block.Convs[i];
                var (w, bias) = BatchNormFolding.Fold(conv.Weight, conv.Bias, conv.Norm);
                string p = $"block{b}.conv{i}";
                string wName = g.AddInitializer($"{p}.weight", w, conv.OutChannels, conv.InChannels, 3, 3);
                string bName = g.AddInitializer($"{p}.bias", bias, conv.OutChannels);
                g.AddNode("Conv", p, [x, wName, bName], [p],
                    Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Ints("strides", 1, 1), Ints("dilations", 1, 1), Int("group", 1));
                g.AddNode("Relu", $"block{b}.relu{i}", [p], [$"block{b}.relu{i}"]);
                x = $"block{b}.relu{i}";
            }
            var (ph, pw) = block.Pool;
            g.AddNode("MaxPool", $"block{b}.pool", [x], [$"block{b}.pool"],
                Ints("kernel_shape", ph, pw), Ints("strides", ph, pw), Ints("pads", 0, 0, 0, 0));
            x = $"block{b}.pool";
            done($"conv block {b}");
        }
        return x;
    }

    /// <summary>N, C, H, W -> W, N, C*H: each column of the feature map is one time step.</summary>
    internal static string AddSequence(OnnxGraphBuilder g, CrnnArchitecture arch, string x)
    {
        g.AddNode("Transpose", "sequence.columns", [x], ["sequence.columns"], Ints("perm", 3, 0, 1, 2));
        g.AddInt64Initializer("sequence.shape", [0, 0, arch.SequenceFeatures]);
        g.AddNode("Reshape", "sequence", ["sequence.columns", "sequence.shape"], ["sequence"]);
        return "sequence";
    }

    /// <summary>
    /// The bidirectional recurrent layers; returns the last layer's final states Y_h [2, N, H] and, with
    /// <paramref name="keepLastOutput"/>, its outputs Y [T, 2, N, H] (else an empty name).
    /// </summary>
    internal static (string Output, string Hidden) AddRecurrentLayers(OnnxGraphBuilder g, CrnnWeights weights, string x, bool keepLastOutput, Action<string> done)
    {
        var arch = weights.Architecture;
        string op = arch.Recurrent == RecurrentKind.Lstm ? "LSTM" : "GRU";
        string hidden = "", output = "";
        int layers = weights.RecurrentLayers.Count;
        for (int k = 0; k < layers; k++)
        {
            var layer = weights.RecurrentLayers[k];
            int gates = arch.GateCount, h = layer.HiddenSize;
            var (w, r, bias) = RecurrentWeightPacking.Pack(arch.Recurrent, layer);
            string p = $"rnn{k}";
            g.AddInitializer($"{p}.W", w, 2, gates * h, layer.InputSize);
            g.AddInitializer($"{p}.R", r, 2, gates * h, h);
            g.AddInitializer($"{p}.B", bias, 2, 2L * gates * h);
            bool last = k == layers - 1;
            string y = last && !keepLastOutput ? "" : $"{p}.Y";
            output = y;
            hidden = $"{p}.Y_h";
            var attributes = new List<AttributeProto> { String("direction", "bidirectional"), Int("hidden_size", h) };
            if (arch.Recurrent == RecurrentKind.Gru) attributes.Add(Int("linear_before_reset", 1));
            g.AddNode(op, p, [x, $"{p}.W", $"{p}.R", $"{p}.B"], [y, hidden], attributes.ToArray());
            if (!last)
            {
                // Y [T, 2, N, H] -> [T, N, 2, H] -> [T, N, 2H]: forward and backward outputs side by side, as PyTorch feeds the next layer.
                g.AddNode("Transpose", $"{p}.Y.steps", [y], [$"{p}.Y.steps"], Ints("perm", 0, 2, 1, 3));
                if (!g.IsDefined("rnn.stack.shape")) g.AddInt64Initializer("rnn.stack.shape", [0, 0, 2L * h]);
                g.AddNode("Reshape", $"rnn{k + 1}.input", [$"{p}.Y.steps", "rnn.stack.shape"], [$"rnn{k + 1}.input"]);
                x = $"rnn{k + 1}.input";
            }
            done($"recurrent layer {k}");
        }

        return (output, hidden);
    }

    /// <summary>The informational version of this assembly, without any source-revision suffix.</summary>
    public static string ProducerVersion()
    {
        var assembly = typeof(CrnnOnnxGraph).Assembly;
        string? v = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString();
        if (v is null) return "0.0.0";
        int plus = v.IndexOf('+');
        return plus < 0 ? v : v[..plus];
    }

    private static string DocString(CrnnArchitecture arch, CrnnModelMetadata metadata) => string.Create(CultureInfo.InvariantCulture,
        $"CRNN handwritten character classifier ({arch}); trained on {metadata.Dataset}; " +
        $"input '{metadata.Input.Name}' N x 1 x {arch.InputHeight} x {arch.InputWidth}, " +
        $"outputs '{metadata.Output.Logits}' and '{metadata.Output.Probabilities}' N x {arch.ClassCount}; " +
        $"batch norm folded into the convolutions; metadata JSON under '{CrnnModelMetadata.MetadataKey}'.");

    private static void AddProperty(ModelProto model, string key, string value) =>
        model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
}
