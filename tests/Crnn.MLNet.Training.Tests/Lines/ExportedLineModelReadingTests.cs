using System.Diagnostics;
using Crnn.MLNet.Decoding;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Training.Export;
using Crnn.MLNet.Training.Lines;
using Crnn.MLNet.Training.Model;
using TorchSharp;
using Xunit.Abstractions;

namespace Crnn.MLNet.Training.Tests.Lines;

/// <summary>
/// A line model exported by <see cref="CrnnLineOnnxExporter"/> (a real CNN + BiLSTM, untrained) opens with the inference
/// library's loader and reads through <see cref="CrnnTextRecognizer"/>: greedy decoding agrees with the trainer's best
/// path, and batching lines of equal width gives exactly the single results.
/// </summary>
public class ExportedLineModelReadingTests(ITestOutputHelper output)
{
    private static byte[] Export(int seed)
    {
        var arch = new CrnnArchitecture(11, widths: [8, 16, 16], convsPerBlock: 1, recurrentHidden: 16, inputWidth: 32);
        torch.manual_seed(seed);
        using var model = new CrnnLineModel(arch);
        model.eval();
        return CrnnLineOnnxExporter.ExportToBytes(model, CrnnLineOnnxExporter.CreateMetadata(LineTestRuns.State(arch)));
    }

    /// <summary>Random ink blobs on dark paper, already normalised, of the given widths.</summary>
    private static List<CrnnLineInput> Lines(CrnnLineModelMetadata m, IEnumerable<int> widths, int seed)
    {
        var rng = new Random(seed);
        var lines = new List<CrnnLineInput>();
        foreach (int w in widths)
        {
            var px = new float[m.Input.Height * w];
            for (int i = 0; i < px.Length; i++)
                px[i] = (float)(((rng.NextDouble() < 0.3 ? rng.NextDouble() : 0) - m.Normalization.Mean) / m.Normalization.Std);
            lines.Add(new CrnnLineInput(px, w, m.Input.Height));
        }
        return lines;
    }

    [Fact]
    public void Exported_model_opens_and_greedy_reading_matches_the_best_path()
    {
        using var model = CrnnLineOnnxModel.FromBytes(Export(5), "exported.onnx");
        Assert.Equal(11, model.ClassCount);
        using var reader = new CrnnTextRecognizer(model, new CrnnTextRecognizerOptions { Decoding = new() { Mode = CrnnCtcDecodingMode.Greedy } });
        foreach (var line in Lines(model.Metadata, [8, 36, 120, 400], seed: 2))
        {
            int steps = model.TimeSteps(line.Width);
            var y = new float[steps * model.ClassCount];
            model.Run(line.Pixels, 1, line.Width, y);
            var best = new long[steps];
            for (int t = 0; t < steps; t++)
            {
                var row = y.AsSpan(t * model.ClassCount, model.ClassCount);
                best[t] = row.IndexOf(TensorMax(row));
            }
            string expected = string.Concat(CtcGreedy.Decode(best, steps).Select(k => model.Labels[k]));
            var r = reader.Predict(line);
            Assert.Equal(expected, r.Text);
            Assert.Equal(steps, r.TimeSteps);
            Assert.InRange(r.Confidence, 0f, 1f);
        }
    }

    private static float TensorMax(ReadOnlySpan<float> row)
    {
        float max = float.NegativeInfinity;
        foreach (float v in row) max = MathF.Max(max, v);
        return max;
    }

    [Fact]
    public void Batches_of_equal_width_give_the_single_results_and_padding_is_measured()
    {
        using var model = CrnnLineOnnxModel.FromBytes(Export(6), "exported.onnx");
        var rng = new Random(3);
        // Widths as synthesised lines have them: multiples of 4, a few repeating.
        var widths = Enumerable.Range(0, 120).Select(_ => 4 * rng.Next(10, 60)).ToArray();
        var lines = Lines(model.Metadata, widths, seed: 4);

        using var single = new CrnnTextRecognizer(model, new CrnnTextRecognizerOptions { BatchSize = 1 });
        using var grouped = new CrnnTextRecognizer(model, new CrnnTextRecognizerOptions { BatchSize = 16 });
        using var padded = new CrnnTextRecognizer(model, new CrnnTextRecognizerOptions { BatchSize = 16, PadBatches = true });
        // Warm up ONNX Runtime before timing.
        single.Predict(lines.Take(4));
        var clock = Stopwatch.StartNew();
        var one = single.Predict(lines);
        double tSingle = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var same = grouped.Predict(lines);
        double tGrouped = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var pad = padded.Predict(lines);
        double tPadded = clock.Elapsed.TotalMilliseconds;

        for (int i = 0; i < lines.Count; i++)
        {
            Assert.Equal(one[i].Text, same[i].Text);
            Assert.Equal(one[i].Confidence, same[i].Confidence, 5);
        }
        int textDifferences = Enumerable.Range(0, lines.Count).Count(i => one[i].Text != pad[i].Text);
        double worst = Enumerable.Range(0, lines.Count).Max(i => Math.Abs(one[i].Confidence - pad[i].Confidence));
        output.WriteLine($"{lines.Count} lines, widths {widths.Min()}..{widths.Max()}: one per run {tSingle:F0} ms, equal widths batched {tGrouped:F0} ms, " +
                         $"padded batches {tPadded:F0} ms; padding changed {textDifferences} texts, confidence by up to {worst:E1}");
        Assert.All(pad, r => Assert.InRange(r.Confidence, 0f, 1f));
    }
}
