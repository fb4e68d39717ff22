using System.Globalization;
using System.Text.Json;
using Crnn.MLNet.Model;
using Onnx;
using static Crnn.MLNet.Training.Export.OnnxGraphBuilder;

namespace Crnn.MLNet.Training.Export;

/// <summary>
/// Lays out the ONNX graph of a CRNN line (CTC) model from its weights:
/// <code>
/// input [N,1,H,W]                          N and W dynamic
///   conv blocks and recurrent layers as the classifier's (<see cref="CrnnOnnxGraph"/>)
///   last Y [T,2,N,H] -> Transpose [0,2,1,3] -> Reshape [0,0,2H] -> Transpose [1,0,2]   [N,T,2H]
///   MatMul (classifier weight transposed) -> Add bias -> LogSoftmax axis 2             log_probs [N,T,C]
/// </code>
/// </summary>
internal static class CrnnLineOnnxGraph
{
    public const string BatchDim = "batch";
    public const string WidthDim = "width";
    public const string StepsDim = "steps";

    public static ModelProto Build(CrnnWeights weights, CrnnLineModelMetadata metadata, Action<string, double>? report = null)
    {
        var arch = weights.Architecture;
        var g = new OnnxGraphBuilder("crnn_line");
        g.Graph.DocString = string.Create(CultureInfo.InvariantCulture,
            $"CRNN handwritten line recogniser ({arch}, class 0 = CTC blank); trained on lines synthesised from {metadata.Dataset}; " +
            $"input '{metadata.Input.Name}' N x 1 x {metadata.Input.Height} x W, output '{metadata.Output.LogProbabilities}' N x (W/{metadata.TimeStepWidth}) x {arch.ClassCount} " +
            $"log-probabilities; batch norm folded into the convolutions; metadata JSON under '{CrnnModelMetadata.MetadataKey}'.");
        string input = metadata.Input.Name;
        g.AddInput(ValueInfo(input, [Symbol(BatchDim), Fixed(1), Fixed(arch.InputHeight), Symbol(WidthDim)],
            string.Create(CultureInfo.InvariantCulture,
                $"N x 1 x {arch.InputHeight} x W float32, (pixel/255 - {metadata.Normalization.Mean}) / {metadata.Normalization.Std}, ink bright")));

        int steps = weights.Blocks.Count + weights.RecurrentLayers.Count + 1, step = 0;
        void Done(string stage) => report?.Invoke(stage, (double)++step / steps);

        string x = CrnnOnnxGraph.AddConvBlocks(g, weights, input, Done);
        x = CrnnOnnxGraph.AddSequence(g, arch, x);
        string y = CrnnOnnxGraph.AddRecurrentLayers(g, weights, x, keepLastOutput: true, Done).Output;

        // Y [T, 2, N, H] -> [T, N, 2H] (forward | backward at each step) -> [N, T, 2H].
        g.AddNode("Transpose", "head.steps", [y], ["head.steps"], Ints("perm", 0, 2, 1, 3));
        g.AddInt64Initializer("head.shape", [0, 0, 2L * arch.RecurrentHidden]);
        g.AddNode("Reshape", "head.features", ["head.steps", "head.shape"], ["head.features"]);
        g.AddNode("Transpose", "head.batch_first", ["head.features"], ["head.batch_first"], Ints("perm", 1, 0, 2));
        // Linear per time step: MatMul by W^T [2H, C], then + b.
        int classes = arch.ClassCount, features = 2 * arch.RecurrentHidden;
        var transposed = new float[features * classes];
        for (int c = 0; c < classes; c++)
            for (int f = 0; f < features; f++)
                transposed[f * classes + c] = weights.ClassifierWeight[c * features + f];
        g.AddInitializer("classifier.weight_t", transposed, features, classes);
        g.AddInitializer("classifier.bias", weights.ClassifierBias, classes);
        g.AddNode("MatMul", "classifier.matmul", ["head.batch_first", "classifier.weight_t"], ["classifier.matmul"]);
        g.AddNode("Add", "classifier", ["classifier.matmul", "classifier.bias"], ["classifier"]);
        string output = metadata.Output.LogProbabilities;
        g.AddNode("LogSoftmax", "log_softmax", ["classifier"], [output], Int("axis", 2));
        g.AddOutput(ValueInfo(output, [Symbol(BatchDim), Symbol(StepsDim), Fixed(classes)],
            $"N x T x {classes} log-probabilities per time step (T = W / {metadata.TimeStepWidth}); class 0 is the CTC blank, class k+1 is label k"));
        Done("classifier");

        var model = new ModelProto
        {
            IrVersion = CrnnOnnxExporter.IrVersion,
            ProducerName = CrnnOnnxExporter.ProducerName,
            ProducerVersion = CrnnOnnxGraph.ProducerVersion(),
            DocString = g.Graph.DocString,
            Graph = g.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = CrnnOnnxExporter.OpsetVersion });
        model.MetadataProps.Add(new StringStringEntryProto { Key = CrnnModelMetadata.MetadataKey, Value = metadata.ToJson() });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "crnn.labels", Value = JsonSerializer.Serialize(metadata.Labels) });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "crnn.architecture", Value = arch.ToString() });
        return model;
    }

    private static TensorShapeProto.Types.Dimension Fixed(long value) => new() { DimValue = value };
    private static TensorShapeProto.Types.Dimension Symbol(string name) => new() { DimParam = name };

    private static ValueInfoProto ValueInfo(string name, TensorShapeProto.Types.Dimension[] dims, string doc)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(dims);
        return new ValueInfoProto
        {
            Name = name,
            DocString = doc,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
