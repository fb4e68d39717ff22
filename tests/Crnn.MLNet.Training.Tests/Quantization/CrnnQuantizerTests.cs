using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Quantization;
using Crnn.MLNet.Training.Tests.Export;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Crnn.MLNet.Training.Tests.Quantization;

/// <summary>
/// The shipped MNIST model quantised to int8 (small calibration and validation sets to stay quick), then checked on
/// the full MNIST test set: against the float model, and the fused integer kernels against ONNX Runtime computing the
/// same QDQ graph without fusion (float arithmetic, no int8 or VNNI kernel involved).
/// </summary>
[Collection(MnistCollection.Name)]
public sealed class CrnnQuantizerTests : IClassFixture<CrnnQuantizerTests.Quantized>
{
    /// <summary>One quantisation shared by the tests of this class.</summary>
    public sealed class Quantized : IDisposable
    {
        private readonly TempFolder folder = new();
        private readonly Lazy<(string Path, CrnnQuantizationReport Report)> result;

        public Quantized() => result = new(() =>
        {
            var data = new MnistFixture().Train;
            var (train, held) = Crnn.MLNet.Training.Training.StratifiedSplit.Split(data.Labels, 0.2, 42);
            string path = System.IO.Path.Combine(folder.Path, "mnist-int8.onnx");
            var report = CrnnQuantizer.Quantize(FloatModel, data.Subset(train), data.Subset(held), path,
                new CrnnQuantizationOptions(calibrationImages: 500, validationImages: 1000));
            return (path, report);
        });

        public string Path => result.Value.Path;
        public CrnnQuantizationReport Report => result.Value.Report;
        public void Dispose() => folder.Dispose();
    }

    private readonly MnistFixture mnist;
    private readonly Quantized quantized;

    public CrnnQuantizerTests(MnistFixture mnist, Quantized quantized)
    {
        this.mnist = mnist;
        this.quantized = quantized;
    }

    internal static string FloatModel => System.IO.Path.Combine(RepoRoot(), "models", "mnist-crnn.onnx");

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Crnn.MLNet.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("no Crnn.MLNet.sln above the tests");
    }

    private static float[] Probabilities(InferenceSession session, float[] inputs, int count, int classes)
    {
        var result = new float[count * classes];
        const int batch = 500;
        for (int start = 0; start < count; start += batch)
        {
            int n = Math.Min(batch, count - start);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, inputs.AsMemory(start * 784, n * 784), [n, 1, 28, 28]);
            using var outputs = session.Run(new RunOptions(), ["input"], [input], ["probabilities"]);
            outputs[0].GetTensorDataAsSpan<float>().CopyTo(result.AsSpan(start * classes, n * classes));
        }
        return result;
    }

    private float[] TestInputs()
    {
        using var model = CrnnOnnxModel.Load(FloatModel);
        var normalizer = new Crnn.MLNet.Imaging.HandwritingNormalizer(model.Metadata);
        var test = mnist.Test;
        var inputs = new float[test.Count * 784];
        for (int i = 0; i < test.Count; i++) normalizer.Normalize(test.Image(i), 28, 28, inputs.AsSpan(i * 784, 784));
        return inputs;
    }

    private static (double Accuracy, double Agreement, double MaxDelta) Compare(float[] p, float[] reference, int[] labels, int classes)
    {
        int correct = 0, agree = 0;
        double maxDelta = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int a = ArgMax(p.AsSpan(i * classes, classes)), b = ArgMax(reference.AsSpan(i * classes, classes));
            if (a == labels[i]) correct++;
            if (a == b) agree++;
            for (int c = 0; c < classes; c++) maxDelta = Math.Max(maxDelta, Math.Abs(p[i * classes + c] - reference[i * classes + c]));
        }
        return ((double)correct / labels.Length, (double)agree / labels.Length, maxDelta);
    }

    private static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static InferenceSession Session(string path, GraphOptimizationLevel level) =>
        new(path, new SessionOptions { GraphOptimizationLevel = level });

    [MnistFact]
    public void Int8AgreesWithTheFloatModelOnTheFullMnistTestSet()
    {
        float[] inputs = TestInputs();
        int[] labels = mnist.Test.Labels;
        using var fp32 = Session(FloatModel, GraphOptimizationLevel.ORT_ENABLE_ALL);
        using var int8 = Session(quantized.Path, GraphOptimizationLevel.ORT_ENABLE_ALL);
        var pf = Probabilities(fp32, inputs, labels.Length, 10);
        var pq = Probabilities(int8, inputs, labels.Length, 10);
        var (floatAccuracy, _, _) = Compare(pf, pf, labels, 10);
        var (accuracy, agreement, maxDelta) = Compare(pq, pf, labels, 10);
        Assert.True(accuracy >= 0.9965, $"int8 MNIST test accuracy {accuracy:P2} (float {floatAccuracy:P2}) is below 99.65%");
        Assert.True(agreement >= 0.998, $"int8 agrees with float on {agreement:P2} of MNIST test images");
        // Measured on the shipped int8 file: 99.99% agreement, largest change 0.048.
        Assert.True(maxDelta < 0.25, $"largest probability change {maxDelta:F3}");
    }

    /// <summary>
    /// ONNX Runtime's int8 kernels (VNNI on CPUs that have it, AVX2 otherwise) against the same graph run without
    /// fusion: QuantizeLinear, DequantizeLinear and float Conv, the arithmetic the QDQ form defines. Integer kernels that
    /// computed wrong numbers on this CPU would show here.
    /// </summary>
    [MnistFact]
    public void FusedIntegerKernelsMatchTheUnfusedQdqArithmetic()
    {
        float[] inputs = TestInputs();
        int[] labels = mnist.Test.Labels;
        using var fused = Session(quantized.Path, GraphOptimizationLevel.ORT_ENABLE_ALL);
        using var reference = Session(quantized.Path, GraphOptimizationLevel.ORT_DISABLE_ALL);
        var pf = Probabilities(fused, inputs, labels.Length, 10);
        var pr = Probabilities(reference, inputs, labels.Length, 10);
        var (_, agreement, maxDelta) = Compare(pf, pr, labels, 10);
        Assert.True(agreement >= 0.999, $"fused int8 kernels agree with the unfused QDQ arithmetic on {agreement:P2} of MNIST test images");
        // Measured on the shipped int8 file: 100% agreement, largest difference 0.007 (requantisation rounding).
        Assert.True(maxDelta < 0.05, $"largest probability difference between fused and unfused int8: {maxDelta:F3}");
    }

    [MnistFact]
    public void WeightsStayInsideTheSevenBitRangeThatAvx2CannotSaturate()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(quantized.Path));
        var int8 = model.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Int8 && t.Name.EndsWith(".int8", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(int8);
        foreach (var t in int8)
            foreach (byte b in t.RawData.Span)
                Assert.InRange((sbyte)b, -63, 63);
        Assert.Contains(model.Graph.Node, n => n.OpType == "QuantizeLinear");
        Assert.Equal(6, model.Graph.Node.Count(n => n.OpType == "Conv"));
        // The recurrent layer's form is chosen by measured speed (a loaded machine can turn the choice), and it holds
        // most of the weights: with int8 LSTM weights the file is a third of the float one, with float ones it is not.
        long int8Bytes = new FileInfo(quantized.Path).Length, floatBytes = new FileInfo(FloatModel).Length;
        if (quantized.Report.Chosen.DynamicRecurrent)
            Assert.True(int8Bytes * 3 <= floatBytes, $"with an int8 LSTM the file ({int8Bytes:N0} bytes) is larger than a third of the float one ({floatBytes:N0})");
        else
            Assert.True(int8Bytes < floatBytes, $"the int8 file ({int8Bytes:N0} bytes) is no smaller than the float one ({floatBytes:N0})");
    }

    [MnistFact]
    public void TheChoiceAndEveryCandidateAreRecordedInTheMetadata()
    {
        var report = quantized.Report;
        Assert.Equal(6, report.Candidates.Count); // three calibrations, LSTM in float and dynamic int8
        Assert.Contains(report.Chosen, report.Candidates);
        Assert.All(report.Candidates, c => Assert.InRange(c.Accuracy, 0.98, 1));
        using var model = CrnnOnnxModel.Load(quantized.Path);
        var q = model.Metadata.Quantization;
        Assert.NotNull(q);
        Assert.Equal(report.Chosen.Method!.Value.ToString().ToLowerInvariant(), q["calibration"].GetString());
        Assert.Equal(6, q["validationAccuracy"].EnumerateObject().Count());
        Assert.Equal(model.Metadata.Labels, CrnnOnnxModel.ReadMetadata(FloatModel).Labels);
    }

    [MnistFact]
    public void AnInt8ModelIsNotQuantisedTwice()
    {
        using var folder = new TempFolder();
        var data = mnist.Test.Take(100);
        var e = Assert.Throws<InvalidDataException>(() =>
            CrnnQuantizer.Quantize(quantized.Path, data, data, System.IO.Path.Combine(folder.Path, "twice.onnx")));
        Assert.Contains("already quantised", e.Message);
        Assert.Empty(folder.FileNames());
    }

    [MnistFact]
    public void ImagesOfTheWrongSizeAreRefusedWithBothSizes()
    {
        using var folder = new TempFolder();
        var small = new CharacterDataset("tiny", new byte[20 * 20 * 10], new int[10], 20, 20, TestModels.Digits);
        var e = Assert.Throws<InvalidDataException>(() =>
            CrnnQuantizer.Quantize(FloatModel, small, small, System.IO.Path.Combine(folder.Path, "out.onnx")));
        Assert.Contains("20x20", e.Message);
        Assert.Contains("28x28", e.Message);
    }

    [MnistFact]
    public void LabelsTheModelDoesNotKnowAreRefusedByName()
    {
        using var folder = new TempFolder();
        var letters = new CharacterDataset("letters", new byte[28 * 28 * 2], [0, 1], 28, 28, ["A", "B"]);
        var e = Assert.Throws<InvalidDataException>(() =>
            CrnnQuantizer.Quantize(FloatModel, mnist.Test.Take(100), letters, System.IO.Path.Combine(folder.Path, "out.onnx")));
        Assert.Contains("'A'", e.Message);
    }

    [Fact]
    public void AFileThatIsNotOnnxIsRefused()
    {
        using var folder = new TempFolder();
        string bad = System.IO.Path.Combine(folder.Path, "bad.onnx");
        File.WriteAllText(bad, "not a model");
        var data = new CharacterDataset("d", new byte[784], [0], 28, 28, TestModels.Digits);
        var e = Assert.ThrowsAny<Exception>(() => CrnnQuantizer.Quantize(bad, data, data, System.IO.Path.Combine(folder.Path, "out.onnx")));
        Assert.Contains("bad.onnx", e.Message);
        Assert.False(File.Exists(System.IO.Path.Combine(folder.Path, "out.onnx")));
    }

    [Fact]
    public void OptionsOutOfRangeAreRefusedByName()
    {
        Assert.Equal("weightBits", Assert.Throws<ArgumentOutOfRangeException>(() => new CrnnQuantizationOptions(weightBits: 6)).ParamName);
        Assert.Equal("percentile", Assert.Throws<ArgumentOutOfRangeException>(() => new CrnnQuantizationOptions(percentile: 100)).ParamName);
        Assert.Equal("methods", Assert.Throws<ArgumentException>(() => new CrnnQuantizationOptions(methods: [])).ParamName);
    }

    [Fact]
    public void SamplesAreSeededDistinctAndSpreadOverTheSet()
    {
        int[] a = CrnnQuantizer.Sample(10_000, 500, seed: 1);
        Assert.Equal(a, CrnnQuantizer.Sample(10_000, 500, seed: 1));
        Assert.Equal(500, a.Distinct().Count());
        Assert.All(a, i => Assert.InRange(i, 0, 9_999));
        // A set stored class by class (1,000 per class) still gives every class to a sample of 500.
        Assert.Equal(10, a.Select(i => i / 1_000).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 7).ToArray(), CrnnQuantizer.Sample(7, 500, seed: 1));
    }

    [Fact]
    public void TheFasterRecurrentFormIsKeptOnlyWithinTheTolerance()
    {
        QuantizationCandidate C(CalibrationMethod m, bool dynamic, double accuracy, double speed) =>
            new(m.ToString() + dynamic, m, dynamic, accuracy, 0.01, 1, 0, speed);
        var floatBest = C(CalibrationMethod.MinMax, false, 0.9960, 100);
        var dynamicClose = C(CalibrationMethod.MinMax, true, 0.9957, 150);
        Assert.Same(dynamicClose, CrnnQuantizer.Choose([floatBest, dynamicClose, C(CalibrationMethod.Entropy, false, 0.9950, 200)], 0.0005));
        var dynamicWorse = C(CalibrationMethod.MinMax, true, 0.9940, 150);
        Assert.Same(floatBest, CrnnQuantizer.Choose([floatBest, dynamicWorse], 0.0005));
    }
}
