using System.Diagnostics;
using Crnn.MLNet.Training.Export;
using Crnn.MLNet.Training.Model;
using Xunit.Abstractions;

namespace Crnn.MLNet.Training.Tests.Export;

/// <summary>
/// The exported graph computes what the TorchSharp model computes in eval mode: same 1,000 MNIST
/// test images through both, at ONNX batch sizes 1 and 64.
/// </summary>
public class CrnnOnnxExporterParityTests(ITestOutputHelper output)
{
    private const int Images = 1000;
    private const double Tolerance = 1e-4;

    /// <summary>
    /// Images whose two most likely reference classes are closer than this are numerical ties (the
    /// float32 differences between the runtimes, ~1e-6, can legitimately swap them); on those the ONNX
    /// argmax must be one of the two. Every other image must have the identical argmax. With the
    /// seeds used here no image is that close (the smallest gap is logged), so all 1,000 compare strictly.
    /// </summary>
    private const double TieGap = 1e-5;

    [MnistTheory]
    [InlineData("lstm", 24, false)]
    [InlineData("gru", 24, false)]
    [InlineData("lstm-2layer", 24, false)]
    [InlineData("gru-3layer", 24, true)]
    public void OnnxRuntimeMatchesTorchSharpOnMnist(string variant, int trainSteps, bool randomBatchNorm)
    {
        var data = MnistTestImages.Test;
        var arch = TestModels.Architecture(variant);
        var clock = Stopwatch.StartNew();
        using var model = TestModels.Trained(arch, data, trainSteps);
        if (randomBatchNorm) TestModels.RandomiseBatchNorm(model, seed: 11);
        AssertBatchNormIsNonTrivial(model);
        var trainTime = clock.Elapsed;

        var (refLogits, refProbabilities) = TestModels.Reference(model, data, Images);
        var metadata = TestModels.Metadata(arch);
        byte[] onnx = CrnnOnnxExporter.ExportToBytes(model, metadata);
        Assert.True(model.training, "the exporter must leave the model's training mode alone");

        float[] images = MnistTestImages.Normalised(data, 0, Images);
        using var session = OrtTestEnvironment.Session(onnx, $"parity-{variant}");
        foreach (int batchSize in new[] { 1, 64 })
        {
            var outputs = OrtTestEnvironment.Run(session, metadata.Input.Name, [metadata.Output.Probabilities, metadata.Output.Logits],
                images, Images, data.Height, data.Width, batchSize);
            float[] probabilities = outputs[0], logits = outputs[1];
            double probDiff = MaxAbsDiff(refProbabilities, probabilities);
            double logitDiff = MaxAbsDiff(refLogits, logits);
            int[] expected = ArgMax(refProbabilities, arch.ClassCount), actual = ArgMax(probabilities, arch.ClassCount);
            var ties = TiedImages(refProbabilities, arch.ClassCount);
            int disagreements = expected.Zip(actual).Where((_, i) => !ties.ContainsKey(i)).Count(p => p.First != p.Second);
            int tieMisses = ties.Count(t => actual[t.Key] != t.Value.First && actual[t.Key] != t.Value.Second);
            double accuracy = expected.Select((c, i) => c == data.Labels[i] ? 1.0 : 0.0).Average();
            output.WriteLine($"{variant} ({arch}), batch {batchSize}: max |dP| = {probDiff:E2}, max |dlogit| = {logitDiff:E2}, " +
                $"argmax disagreements {disagreements}/{Images - ties.Count} (+{ties.Count} numerical ties), accuracy {accuracy:P1} after {trainSteps} steps, {onnx.Length / 1024} KiB");
            Assert.True(probDiff <= Tolerance, $"batch {batchSize}: probabilities differ by up to {probDiff:E2} (> {Tolerance:E0})");
            Assert.Equal(0, disagreements);
            Assert.Equal(0, tieMisses);
        }
        output.WriteLine($"smallest top-2 probability gap {MinTopTwoGap(refProbabilities, arch.ClassCount):E2}; " +
            $"training {trainTime.TotalSeconds:F1} s, total {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static void AssertBatchNormIsNonTrivial(CrnnClassifier model)
    {
        var norm = model.Blocks[^1].Norms[^1];
        float[] mean = norm.running_mean!.data<float>().ToArray(), var = norm.running_var!.data<float>().ToArray();
        Assert.Contains(mean, m => Math.Abs(m) > 0.05);
        Assert.Contains(var, v => Math.Abs(v - 1) > 0.05);
    }

    internal static double MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        return max;
    }

    /// <summary>How close the reference comes to a tie between its two most likely classes (argmax is fragile below the tolerance).</summary>
    internal static double MinTopTwoGap(float[] rows, int columns) =>
        Enumerable.Range(0, rows.Length / columns).Min(r =>
        {
            var top = rows.AsSpan(r * columns, columns).ToArray().OrderDescending().Take(2).ToArray();
            return (double)top[0] - top[1];
        });

    /// <summary>Images whose top two reference probabilities are within <see cref="TieGap"/>, with those two classes.</summary>
    internal static Dictionary<int, (int First, int Second)> TiedImages(float[] rows, int columns)
    {
        var ties = new Dictionary<int, (int, int)>();
        for (int r = 0; r < rows.Length / columns; r++)
        {
            var order = Enumerable.Range(0, columns).OrderByDescending(c => rows[r * columns + c]).Take(2).ToArray();
            if (rows[r * columns + order[0]] - rows[r * columns + order[1]] <= TieGap) ties[r] = (order[0], order[1]);
        }
        return ties;
    }

    internal static int[] ArgMax(float[] rows, int columns) =>
        Enumerable.Range(0, rows.Length / columns).Select(r =>
        {
            int best = 0;
            for (int c = 1; c < columns; c++) if (rows[r * columns + c] > rows[r * columns + best]) best = c;
            return best;
        }).ToArray();
}
