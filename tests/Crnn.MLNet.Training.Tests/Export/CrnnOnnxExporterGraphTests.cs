using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Export;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using TorchSharp;
using Xunit.Abstractions;

namespace Crnn.MLNet.Training.Tests.Export;

/// <summary>Structure, metadata and validity of exported graphs (no dataset needed).</summary>
public class CrnnOnnxExporterGraphTests(ITestOutputHelper output)
{
    public static TheoryData<string> Variants => new() { "lstm", "gru", "lstm-2layer", "gru-3layer" };

    private static (CrnnModelMetadata Metadata, byte[] Bytes) Export(string variant)
    {
        var arch = TestModels.Architecture(variant);
        using var model = TestModels.Untrained(arch);
        TestModels.RandomiseBatchNorm(model, seed: 3);
        var metadata = TestModels.Metadata(arch);
        return (metadata, CrnnOnnxExporter.ExportToBytes(model, metadata));
    }

    [Fact]
    public void GraphHasTheDocumentedLayout()
    {
        var (metadata, bytes) = Export("lstm");
        var model = ModelProto.Parser.ParseFrom(bytes);

        Assert.Equal(8, model.IrVersion);
        Assert.Equal(CrnnOnnxExporter.IrVersion, model.IrVersion);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(17, opset.Version);
        Assert.Equal("Crnn.MLNet", model.ProducerName);
        Assert.False(string.IsNullOrEmpty(model.ProducerVersion));
        Assert.Contains("conv 32-64-128 x2, BiLSTM 128, 10 classes", model.DocString);

        var graph = model.Graph;
        var input = Assert.Single(graph.Input);
        Assert.Equal("input", input.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Float, input.Type.TensorType.ElemType);
        var dims = input.Type.TensorType.Shape.Dim;
        Assert.Equal("batch", dims[0].DimParam);
        Assert.Equal(new long[] { 1, 28, 28 }, dims.Skip(1).Select(d => d.DimValue));
        Assert.Equal(new[] { "logits", "probabilities" }, graph.Output.Select(o => o.Name));
        foreach (var o in graph.Output)
        {
            Assert.Equal("batch", o.Type.TensorType.Shape.Dim[0].DimParam);
            Assert.Equal(10, o.Type.TensorType.Shape.Dim[1].DimValue);
        }

        string[] block = ["Conv", "Relu", "Conv", "Relu", "MaxPool"];
        string[] expectedOps = [.. block, .. block, .. block, "Transpose", "Reshape", "LSTM", "Transpose", "Reshape", "Gemm", "Softmax"];
        Assert.Equal(expectedOps, graph.Node.Select(n => n.OpType));
        Assert.Equal(graph.Node.Count, graph.Node.Select(n => n.Name).Distinct().Count());

        var pools = graph.Node.Where(n => n.OpType == "MaxPool").Select(n => Attr(n, "kernel_shape").Ints.ToArray()).ToArray();
        Assert.Equal(new[] { new long[] { 2, 2 }, [2, 2], [2, 1] }, pools);
        Assert.Equal(new long[] { 3, 0, 1, 2 }, Attr(graph.Node.First(n => n.OpType == "Transpose"), "perm").Ints);
        Assert.Equal(new long[] { 0, 0, 128 * 3 }, Int64s(graph, "sequence.shape"));
        var lstm = graph.Node.Single(n => n.OpType == "LSTM");
        Assert.Equal("bidirectional", Attr(lstm, "direction").S.ToStringUtf8());
        Assert.Equal(128, Attr(lstm, "hidden_size").I);
        Assert.Equal(new[] { "", "rnn0.Y_h" }, lstm.Output);
        Assert.Equal(new long[] { 2, 4 * 128, 384 }, Initializer(graph, "rnn0.W").Dims);
        Assert.Equal(new long[] { 2, 4 * 128, 128 }, Initializer(graph, "rnn0.R").Dims);
        Assert.Equal(new long[] { 2, 8 * 128 }, Initializer(graph, "rnn0.B").Dims);
        Assert.Equal(new long[] { 1, 0, 2 }, Attr(graph.Node.Last(n => n.OpType == "Transpose"), "perm").Ints);
        Assert.Equal(new long[] { 0, -1 }, Int64s(graph, "head.shape"));
        Assert.Equal(1, Attr(graph.Node.Single(n => n.OpType == "Gemm"), "transB").I);
        Assert.Equal(1, Attr(graph.Node.Single(n => n.OpType == "Softmax"), "axis").I);
        Assert.Equal(new long[] { 32, 1, 3, 3 }, Initializer(graph, "block0.conv0.weight").Dims);
        Assert.Equal(new long[] { 32 }, Initializer(graph, "block0.conv0.bias").Dims);

        // Every initializer is used by some node (ONNX Runtime warns about unused ones).
        var used = graph.Node.SelectMany(n => n.Input).ToHashSet();
        Assert.All(graph.Initializer, i => Assert.Contains(i.Name, used));

        var props = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        var stored = CrnnModelMetadata.FromJson(props[CrnnModelMetadata.MetadataKey], "exported model");
        Assert.Equal(metadata.ToJson(), stored.ToJson());
        Assert.Equal("[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]", props["crnn.labels"]);
        Assert.Equal("conv 32-64-128 x2, BiLSTM 128, 10 classes", props["crnn.architecture"]);
    }

    [Fact]
    public void StackedLayersFeedForwardAndBackwardOutputsSideBySide()
    {
        var (_, bytes) = Export("gru-3layer");
        var graph = ModelProto.Parser.ParseFrom(bytes).Graph;
        var grus = graph.Node.Where(n => n.OpType == "GRU").ToList();
        Assert.Equal(3, grus.Count);
        Assert.All(grus, g => Assert.Equal(1, Attr(g, "linear_before_reset").I));
        Assert.Equal(new[] { "rnn0.Y", "rnn0.Y_h" }, grus[0].Output);
        Assert.Equal("rnn1.input", grus[1].Input[0]);
        Assert.Equal(new[] { "", "rnn2.Y_h" }, grus[2].Output);
        Assert.Equal(new long[] { 2, 3 * 32, 64 }, Initializer(graph, "rnn1.W").Dims);
        var between = graph.Node.Single(n => n.Name == "rnn0.Y.steps");
        Assert.Equal(new long[] { 0, 2, 1, 3 }, Attr(between, "perm").Ints);
        Assert.Equal(new long[] { 0, 0, 64 }, Int64s(graph, "rnn.stack.shape"));
        Assert.Equal(2, graph.Node.Count(n => n.OpType == "MaxPool"));
    }

    [Fact]
    public void OnnxRuntimeSeesSymbolicBatchFixedImageSizeAndMetadata()
    {
        var (metadata, bytes) = Export("gru");
        using var session = OrtTestEnvironment.Session(bytes, "metadata");
        var input = session.InputMetadata["input"];
        Assert.Equal(new[] { -1, 1, 28, 28 }, input.Dimensions);
        Assert.Equal("batch", input.SymbolicDimensions[0]);
        Assert.Equal(typeof(float), input.ElementType);
        Assert.Equal(new[] { "logits", "probabilities" }, session.OutputMetadata.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(new[] { -1, 10 }, session.OutputMetadata["probabilities"].Dimensions);
        var map = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(metadata.ToJson(), CrnnModelMetadata.FromJson(map[CrnnModelMetadata.MetadataKey], "ORT").ToJson());
        Assert.Equal("Crnn.MLNet", session.ModelMetadata.ProducerName);
    }

    [Fact]
    public void ExportIsDeterministic()
    {
        var arch = TestModels.Architecture("lstm-2layer");
        using var model = TestModels.Untrained(arch);
        var metadata = TestModels.Metadata(arch);
        Assert.Equal(CrnnOnnxExporter.ExportToBytes(model, metadata), CrnnOnnxExporter.ExportToBytes(model, metadata));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ExportLeavesTrainingModeAndWeightsAlone(bool training)
    {
        var arch = TestModels.Architecture("gru");
        using var model = TestModels.Untrained(arch);
        TestModels.RandomiseBatchNorm(model, seed: 5);
        model.train(training);
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var x = torch.randn(2, 1, 28, 28);
        model.eval();
        torch.Tensor outputBefore;
        using (torch.no_grad()) outputBefore = model.forward(x);
        model.train(training);

        CrnnOnnxExporter.ExportToBytes(model, TestModels.Metadata(arch));

        Assert.Equal(training, model.training);
        Assert.All(model.modules(), m => Assert.Equal(training, m.training));
        foreach (var (name, value) in model.state_dict())
            Assert.True(value.equal(before[name]).all().item<bool>(), $"{name} changed during export");
        // The module still works (and computes the same) after its tensors were read.
        model.eval();
        using (torch.no_grad()) Assert.True(model.forward(x).equal(outputBefore).all().item<bool>());
    }

    [Fact]
    public void ExportDoesNotDependOnTheCurrentCulture()
    {
        var arch = TestModels.Architecture("gru-3layer");
        using var model = TestModels.Untrained(arch);
        var metadata = TestModels.Metadata(arch);
        byte[] invariant = WithCulture("", () => CrnnOnnxExporter.ExportToBytes(model, metadata));
        byte[] german = WithCulture("de-DE", () => CrnnOnnxExporter.ExportToBytes(model, metadata));
        Assert.Equal(invariant, german);
        Assert.Contains("0.1307", ModelProto.Parser.ParseFrom(german).Graph.Input[0].DocString);
    }

    private static T WithCulture<T>(string name, Func<T> action)
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo(name);
        try { return action(); }
        finally { System.Globalization.CultureInfo.CurrentCulture = saved; }
    }

    [Fact]
    public void ExportToFileWritesTheSameBytesAndReportsProgress()
    {
        var arch = TestModels.Architecture("lstm-2layer");
        using var model = TestModels.Untrained(arch);
        var metadata = TestModels.Metadata(arch);
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "model.onnx");
        var reports = new List<CrnnExportProgress>();
        CrnnOnnxExporter.Export(model, metadata, path, new SyncProgress<CrnnExportProgress>(reports.Add));
        Assert.Equal(CrnnOnnxExporter.ExportToBytes(model, metadata), File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.onnx" }, folder.FileNames());
        Assert.True(reports.Count >= 6, string.Join(", ", reports));
        Assert.Equal(new CrnnExportProgress("done", 1), reports[^1]);
        Assert.Contains(reports, r => r.Stage == "writing");
        Assert.Contains(reports, r => r.Stage == "recurrent layer 1");
        for (int i = 1; i < reports.Count; i++)
            Assert.True(reports[i].Fraction >= reports[i - 1].Fraction, $"progress went back: {reports[i - 1]} then {reports[i]}");
        output.WriteLine(string.Join(Environment.NewLine, reports));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void OnnxRuntimeLogsNoWarnings(string variant)
    {
        Assert.True(OrtTestEnvironment.CapturesLogs, "the test environment's ORT logging callback is not installed");
        var (metadata, bytes) = Export(variant);
        string logId = $"no-warnings-{variant}";
        using (var session = OrtTestEnvironment.Session(bytes, logId))
        {
            float[] images = new float[3 * 28 * 28];
            OrtTestEnvironment.Run(session, metadata.Input.Name, [metadata.Output.Probabilities], images, 3, 28, 28, 3);
        }
        var logged = OrtTestEnvironment.Logged.Where(e => e.LogId == logId).ToList();
        Assert.True(logged.Count == 0, string.Join(Environment.NewLine, logged));
    }

    [Fact]
    public void WarningCaptureWorks()
    {
        // Control for OnnxRuntimeLogsNoWarnings: an unused initializer makes ONNX Runtime warn.
        var arch = TestModels.Architecture("gru-3layer");
        using var model = TestModels.Untrained(arch);
        var proto = CrnnOnnxExporter.BuildModel(model, TestModels.Metadata(arch));
        var unused = new TensorProto { Name = "unused", DataType = (int)TensorProto.Types.DataType.Float };
        unused.Dims.Add(1);
        unused.FloatData.Add(0f);
        proto.Graph.Initializer.Add(unused);
        using (OrtTestEnvironment.Session(Google.Protobuf.MessageExtensions.ToByteArray(proto), "control")) { }
        var logged = OrtTestEnvironment.Logged.Where(e => e.LogId == "control").ToList();
        output.WriteLine(string.Join(Environment.NewLine, logged));
        Assert.Contains(logged, e => e.Severity == OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING && e.Message.Contains("unused"));
    }

    [PythonOnnxTheory]
    [MemberData(nameof(Variants))]
    public void ReferenceOnnxCheckerAcceptsTheModel(string variant)
    {
        var (_, bytes) = Export(variant);
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, $"{variant}.onnx");
        File.WriteAllBytes(path, bytes);
        var (code, stdout, stderr) = PythonOnnx.CheckModel(path);
        output.WriteLine(stdout + stderr);
        Assert.True(code == 0, $"onnx.checker.check_model(full_check=True) failed for {variant}: {stderr}");
    }

    internal static AttributeProto Attr(NodeProto node, string name) => node.Attribute.Single(a => a.Name == name);

    internal static TensorProto Initializer(GraphProto graph, string name) => graph.Initializer.Single(i => i.Name == name);

    internal static long[] Int64s(GraphProto graph, string name)
    {
        byte[] raw = Initializer(graph, name).RawData.ToByteArray();
        return Enumerable.Range(0, raw.Length / 8).Select(i => BitConverter.ToInt64(raw, i * 8)).ToArray();
    }
}
