using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Export;
using Crnn.MLNet.Training.Lines;
using Crnn.MLNet.Training.Model;
using Crnn.MLNet.Training.Tests.Export;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Tests.Lines;

/// <summary>
/// The exported line graph computes what the TorchSharp line model computes in eval mode, for lines of many widths
/// (the width axis is dynamic) one at a time and as a batch.
/// </summary>
[Collection(MnistCollection.Name)]
public class LineExportParityTests(MnistFixture mnist, ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    [MnistTheory]
    [InlineData("lstm")]
    [InlineData("gru-2layer")]
    public void OnnxRuntimeMatchesTorchSharpOnLinesOfEveryWidth(string variant)
    {
        var arch = variant == "lstm"
            ? new CrnnArchitecture(11, widths: [16, 32, 64], inputWidth: 32)
            : new CrnnArchitecture(11, widths: [8, 16, 32], convsPerBlock: 1, recurrent: RecurrentKind.Gru, recurrentHidden: 24, recurrentLayers: 2, inputWidth: 32);
        torch.manual_seed(3);
        using var model = new CrnnLineModel(arch);
        RandomiseBatchNorm(model, seed: 4);
        model.eval();
        var state = LineTestRuns.State(arch, mean: 0.13, std: 0.31);
        var metadata = CrnnLineOnnxExporter.CreateMetadata(state);
        byte[] onnx = CrnnLineOnnxExporter.ExportToBytes(model, metadata);

        var synth = new LineSynthesizer(mnist.Test, Enumerable.Range(0, 3000).ToArray(), new LineSynthesisOptions());
        var lines = synth.FixedSet(40, seed: 8).ToList();
        using var session = OrtTestEnvironment.Session(onnx, $"line-parity-{variant}");
        double worst = 0;
        int argmaxDifferences = 0;
        foreach (var line in lines)
        {
            float[] input = Standardise(line.Pixels, 0.13, 0.31);
            float[] expected = Reference(model, input, line.Width, 1);
            float[] actual = RunOnnx(session, input, 1, line.Width);
            Assert.Equal(expected.Length, actual.Length);
            worst = Math.Max(worst, CrnnOnnxExporterParityTests.MaxAbsDiff(expected, actual));
            argmaxDifferences += ArgMaxDifferences(expected, actual, arch.ClassCount);
        }
        // A batch of four lines of the same width (the 10-character lines are padded to the widest).
        var batchLines = lines.Where(l => l.Labels.Length == 10).Take(4).ToList();
        int w = batchLines.Max(l => l.Width);
        float[] batch = batchLines.SelectMany(l => Standardise(Pad(l, w), 0.13, 0.31)).ToArray();
        float[] batchExpected = Reference(model, batch, w, batchLines.Count);
        float[] batchActual = RunOnnx(session, batch, batchLines.Count, w);
        double batchWorst = CrnnOnnxExporterParityTests.MaxAbsDiff(batchExpected, batchActual);
        output.WriteLine($"{variant}: {lines.Count} lines of widths {lines.Min(l => l.Width)}..{lines.Max(l => l.Width)}, max |d log p| {worst:E2}, batch of {batchLines.Count}: {batchWorst:E2}, argmax differences {argmaxDifferences}");
        Assert.True(worst <= Tolerance, $"log-probabilities differ by up to {worst:E2}");
        Assert.True(batchWorst <= Tolerance, $"batched log-probabilities differ by up to {batchWorst:E2}");
        Assert.Equal(0, argmaxDifferences);
    }

    [Fact]
    public void ExportedGraphDeclaresDynamicBatchAndWidth()
    {
        var arch = new CrnnArchitecture(5, widths: [4, 8, 8], convsPerBlock: 1, recurrentHidden: 8, inputWidth: 32);
        torch.manual_seed(1);
        using var model = new CrnnLineModel(arch);
        byte[] onnx = CrnnLineOnnxExporter.ExportToBytes(model, CrnnLineOnnxExporter.CreateMetadata(LineTestRuns.State(arch, labels: ["a", "b", "c", "d"])));
        using var session = OrtTestEnvironment.Session(onnx, "line-signature");
        var input = session.InputMetadata["input"];
        Assert.Equal([-1, 1, 28, -1], input.Dimensions);
        var outputInfo = session.OutputMetadata["log_probs"];
        Assert.Equal([-1, -1, 5], outputInfo.Dimensions);
        var json = session.ModelMetadata.CustomMetadataMap[CrnnModelMetadata.MetadataKey];
        var metadata = CrnnLineModelMetadata.FromJson(json, "exported");
        Assert.Equal(["a", "b", "c", "d"], metadata.Labels);
        Assert.Equal(4, metadata.TimeStepWidth);
        // Widths 8 and 100 give 2 and 25 time steps.
        Assert.Equal(2, RunOnnx(session, new float[28 * 8], 1, 8).Length / 5);
        Assert.Equal(25, RunOnnx(session, new float[28 * 100], 1, 100).Length / 5);
    }

    [Fact]
    public void MetadataThatDoesNotFitTheModelIsRefused()
    {
        var arch = new CrnnArchitecture(5, widths: [4, 8, 8], convsPerBlock: 1, recurrentHidden: 8, inputWidth: 32);
        torch.manual_seed(1);
        using var model = new CrnnLineModel(arch);
        var wrongLabels = CrnnLineOnnxExporter.CreateMetadata(LineTestRuns.State(arch, labels: ["a", "b", "c", "d"])) with { Labels = ["a", "b"] };
        Assert.Contains("2 labels (+ blank) but the model has 5 classes", Assert.Throws<ArgumentException>(() => CrnnLineOnnxExporter.ExportToBytes(model, wrongLabels)).Message);
    }

    private static float[] Pad(SynthesizedLine line, int width)
    {
        var result = new float[line.Height * width];
        for (int y = 0; y < line.Height; y++) Array.Copy(line.Pixels, y * line.Width, result, y * width, line.Width);
        return result;
    }

    private static float[] Standardise(float[] pixels, double mean, double std) => pixels.Select(p => (float)((p - mean) / std)).ToArray();

    // TorchSharp's output T x N x C, rearranged to ONNX's N x T x C.
    private static float[] Reference(CrnnLineModel model, float[] input, int width, int count)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = torch.tensor(input, new long[] { count, 1, 28, width });
        return model.forward(x).transpose(0, 1).contiguous().data<float>().ToArray();
    }

    private static float[] RunOnnx(InferenceSession session, float[] input, int count, int width)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, new long[] { count, 1, 28, width });
        using var results = session.Run(new RunOptions(), ["input"], [value], ["log_probs"]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static int ArgMaxDifferences(float[] a, float[] b, int classes)
    {
        int differences = 0;
        for (int t = 0; t < a.Length / classes; t++)
        {
            var sa = a.AsSpan(t * classes, classes);
            var sb = b.AsSpan(t * classes, classes);
            int ia = sa.IndexOf(MaxOf(sa)), ib = sb.IndexOf(MaxOf(sb));
            // Ignore numerical ties (top two within 1e-5).
            var sorted = sa.ToArray().OrderDescending().ToArray();
            if (ia != ib && sorted[0] - sorted[1] > 1e-5) differences++;
        }
        return differences;
    }

    private static float MaxOf(ReadOnlySpan<float> s)
    {
        float m = float.NegativeInfinity;
        foreach (float v in s) m = Math.Max(m, v);
        return m;
    }

    private static void RandomiseBatchNorm(CrnnLineModel model, int seed)
    {
        torch.manual_seed(seed);
        using var noGrad = torch.no_grad();
        foreach (var norm in model.Blocks.SelectMany(b => b.Norms))
        {
            long c = norm.running_mean!.shape[0];
            norm.running_mean.copy_(torch.randn(c) * 0.5);
            norm.running_var!.copy_(torch.rand(c) * 2 + 0.25);
            norm.weight.copy_(torch.rand(c) + 0.5);
            norm.bias!.copy_(torch.randn(c) * 0.3);
        }
    }
}
