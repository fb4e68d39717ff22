using System.Text.Json;

namespace Crnn.MLNet.Cli.Tests;

/// <summary>
/// The models in models/ hold their accuracy floors on the full test splits, evaluated through the
/// ML.NET pipeline exactly as <c>crnn evaluate</c> does (the figures users are promised).
/// </summary>
public sealed class ShippedModelTests
{
    internal static string RepoFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Crnn.MLNet.sln")))
                return Path.Combine([dir.FullName, .. parts]);
        throw new InvalidOperationException("repository root (Crnn.MLNet.sln) not found above the test assembly");
    }

    private static JsonElement Evaluate(string model, string dataset) => RunJson("evaluate", "--model", model, "--dataset", dataset, "--json");

    private static JsonElement RunJson(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CrnnCli.Run(args, stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        return JsonDocument.Parse(stdout.ToString()).RootElement.Clone();
    }

    /// <summary>
    /// The sample lines drawn by samples/draw-samples.cs (pen strokes, no dataset image, three styles) are read exactly:
    /// the text is the file name before the dash.
    /// </summary>
    [Fact]
    public void LineModelReadsTheDrawnSampleLines()
    {
        string[] files = Directory.GetFiles(RepoFile("samples", "lines"), "*.png").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(18, files.Length);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.True(CrnnCli.Run(["read", "--model", RepoFile("models", "mnist-lines-crnn.onnx"), .. files], stdout, stderr) == 0, stderr.ToString());
        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(files.Length, lines.Length);
        foreach (var line in lines)
        {
            var parts = line.Split('\t');
            string expected = Path.GetFileName(parts[0]).Split('-')[0];
            Assert.True(expected == parts[1], $"{parts[0]}: read '{parts[1]}', expected '{expected}'");
        }
    }

    /// <summary>
    /// The digit line model on the fixed test lines (written by <c>crnn make-lines</c> with its defaults: 5,000 lines of
    /// 1 to 10 MNIST test digits, seed 2026), read from the PNG files as a user would, greedy decoding.
    /// </summary>
    [RealDataFact("mnist")]
    public void MnistLineModelReachesItsGoalsOnTheFixedTestLines()
    {
        var metrics = EvaluateMadeLines([], 5_000);
        double cer = metrics.GetProperty("characterErrorRate").GetDouble();
        double sequences = metrics.GetProperty("sequenceAccuracy").GetDouble();
        Assert.True(cer <= 0.008, $"digit line CER {cer:P2} is above the 0.8% goal");
        Assert.True(sequences >= 0.97, $"digit line sequence accuracy {sequences:P2} is below the 97% goal");
        Assert.Equal(10, metrics.GetProperty("byLength").GetArrayLength());
    }

    /// <summary>Writes lines with <c>crnn make-lines</c> (MNIST test digits, seed 2026) and reads them with the shipped line model, greedy.</summary>
    private static JsonElement EvaluateMadeLines(string[] makeArguments, int count) =>
        EvaluateMadeLines("mnist", "mnist-lines-crnn.onnx", makeArguments, count);

    /// <summary>Writes lines with <c>crnn make-lines</c> (test split, seed 2026) and reads them with a shipped line model, greedy.</summary>
    private static JsonElement EvaluateMadeLines(string dataset, string model, string[] makeArguments, int count)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"crnn-test-lines-{Guid.NewGuid():N}");
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            Assert.True(CrnnCli.Run(["make-lines", "--dataset", dataset, "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture), .. makeArguments, "--out", folder], stdout, stderr) == 0, stderr.ToString());
            var metrics = RunJson("evaluate-lines", "--model", RepoFile("models", model), "--lines", folder, "--greedy", "--json");
            Assert.Equal(count, metrics.GetProperty("lines").GetInt32());
            return metrics;
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The digit line model on scanned-looking lines (<c>crnn make-lines --realism 1</c>: 2,000 lines of 1 to 10 MNIST
    /// test digits on paper, with ruling lines, neighbours' strokes at the edges, specks, unlabelled punctuation), read
    /// from the PNG files with the default clean-up. The model card gives 83.95% exact, CER 7.1% (the model before
    /// realistic training: 66.85%, 12.4%).
    /// </summary>
    [RealDataFact("mnist")]
    public void MnistLineModelReadsScannedLookingLines()
    {
        var metrics = EvaluateMadeLines(["--realism", "1"], 2_000);
        double cer = metrics.GetProperty("characterErrorRate").GetDouble();
        double sequences = metrics.GetProperty("sequenceAccuracy").GetDouble();
        Assert.True(sequences >= 0.81, $"scanned-looking lines read exactly {sequences:P2}, below the 81% floor");
        Assert.True(cer <= 0.085, $"scanned-looking lines CER {cer:P2}, above the 8.5% floor");
    }

    /// <summary>
    /// Real register row numbers (parish-rows, development data: 2,882 crops), read by the shipped line model with its
    /// defaults, no pattern: the model card gives 72.3% exact, CER 29.4%; the issue asks at least 60% and at most 30%.
    /// </summary>
    [RealDataFact("parish-rows")]
    public void MnistLineModelReadsRealRegisterRowNumbers()
    {
        string folder = Path.Combine(Environment.GetEnvironmentVariable("CRNN_DATA_DIR")!, "parish-rows");
        var metrics = RunJson("evaluate-lines", "--model", RepoFile("models", "mnist-lines-crnn.onnx"), "--lines", folder, "--json");
        Assert.Equal(2_882, metrics.GetProperty("lines").GetInt32());
        double cer = metrics.GetProperty("characterErrorRate").GetDouble();
        double sequences = metrics.GetProperty("sequenceAccuracy").GetDouble();
        Assert.True(sequences >= 0.70, $"parish-rows read exactly {sequences:P2}, below the 70% floor");
        Assert.True(cer <= 0.30, $"parish-rows CER {cer:P2}, above the 30% bound");
    }

    private static string Emnist47 => Path.Combine(Environment.GetEnvironmentVariable("CRNN_DATA_DIR")!, "emnist47");

    /// <summary>
    /// The letters line model on its fixed test lines (<c>crnn make-lines --text names</c>: 5,000 names and codes in block
    /// capitals from the EMNIST-47 test split's digits and capitals, seed 2026), greedy: the model card gives 78.68%
    /// exact, CER 3.69%; and on 2,000 scanned-looking ones (<c>--realism 1</c>): 65.65%, CER 9.76%.
    /// </summary>
    [RealDataFact("emnist47")]
    public void LatinLineModelReadsTheFixedNameLines()
    {
        var clean = EvaluateMadeLines(Emnist47, "latin-lines-crnn.onnx", ["--text", "names"], 5_000);
        Assert.True(clean.GetProperty("sequenceAccuracy").GetDouble() >= 0.77, $"name lines read exactly {clean.GetProperty("sequenceAccuracy").GetDouble():P2}, below the 77% floor");
        Assert.True(clean.GetProperty("characterErrorRate").GetDouble() <= 0.042, $"name lines CER {clean.GetProperty("characterErrorRate").GetDouble():P2}, above the 4.2% floor");
        var scanned = EvaluateMadeLines(Emnist47, "latin-lines-crnn.onnx", ["--text", "names", "--realism", "1"], 2_000);
        Assert.True(scanned.GetProperty("sequenceAccuracy").GetDouble() >= 0.63, $"scanned-looking name lines read exactly {scanned.GetProperty("sequenceAccuracy").GetDouble():P2}, below the 63% floor");
        Assert.True(scanned.GetProperty("characterErrorRate").GetDouble() <= 0.105, $"scanned-looking name lines CER {scanned.GetProperty("characterErrorRate").GetDouble():P2}, above the 10.5% floor");
    }

    /// <summary>
    /// Names the training text never had (samples/names/held-out-names.txt, 172 real names and forms of them), written
    /// with EMNIST-47 test images: the model card gives 81.98% exact, CER 2.77% (greedy).
    /// </summary>
    [RealDataFact("emnist47")]
    public void LatinLineModelReadsNamesOutsideItsTrainingList()
    {
        string texts = RepoFile("samples", "names", "held-out-names.txt");
        var metrics = EvaluateMadeLines(Emnist47, "latin-lines-crnn.onnx", ["--text", "names", "--texts", texts], 172);
        Assert.True(metrics.GetProperty("sequenceAccuracy").GetDouble() >= 0.78, $"held-out names read exactly {metrics.GetProperty("sequenceAccuracy").GetDouble():P2}, below the 78% floor");
        Assert.True(metrics.GetProperty("characterErrorRate").GetDouble() <= 0.035, $"held-out names CER {metrics.GetProperty("characterErrorRate").GetDouble():P2}, above the 3.5% floor");
    }

    /// <summary>
    /// The 24 block-capital names drawn with pen strokes by samples/draw-samples.cs (no dataset image, three styles):
    /// 23 are read exactly (the model card); at most two may be wrong.
    /// </summary>
    [Fact]
    public void LatinLineModelReadsTheDrawnNames()
    {
        var metrics = RunJson("evaluate-lines", "--model", RepoFile("models", "latin-lines-crnn.onnx"), "--lines", RepoFile("samples", "names"), "--json");
        Assert.Equal(24, metrics.GetProperty("lines").GetInt32());
        double exact = metrics.GetProperty("sequenceAccuracy").GetDouble();
        Assert.True(exact >= 22 / 24.0 - 1e-9, $"drawn names read exactly {exact:P2}, fewer than 22 of 24");
    }

    [RealDataFact("mnist")]
    public void MnistModelReachesItsFloorOnTheFullTestSet()
    {
        var metrics = Evaluate(RepoFile("models", "mnist-crnn.onnx"), "mnist");
        Assert.Equal(10_000, metrics.GetProperty("count").GetInt32());
        double micro = metrics.GetProperty("microAccuracy").GetDouble();
        // Issue #16: whichever MNIST classifier ships keeps at least 99.7% (the shipped one reads 99.73%).
        Assert.True(micro >= 0.997, $"MNIST test accuracy {micro:P2} is below the 99.7% floor");
    }

    /// <summary>The compact and int8 forms of the MNIST model (crnn train --arch compact, crnn quantize) hold their floors.</summary>
    [RealDataTheory("mnist")]
    [InlineData("mnist-crnn-int8.onnx", 0.9965)]
    [InlineData("mnist-crnn-small.onnx", 0.995)]
    public void MnistCompactAndInt8ModelsReachTheirFloorsOnTheFullTestSet(string file, double floor)
    {
        var metrics = Evaluate(RepoFile("models", file), "mnist");
        Assert.Equal(10_000, metrics.GetProperty("count").GetInt32());
        double micro = metrics.GetProperty("microAccuracy").GetDouble();
        Assert.True(micro >= floor, $"{file}: MNIST test accuracy {micro:P2} is below the {floor:P2} floor");
    }

    [RealDataFact("emnist47")]
    public void Emnist47ModelReachesItsFloorOnTheFullTestSet()
    {
        string folder = Path.Combine(Environment.GetEnvironmentVariable("CRNN_DATA_DIR")!, "emnist47");
        var metrics = Evaluate(RepoFile("models", "emnist47-crnn.onnx"), folder);
        Assert.Equal(23_265, metrics.GetProperty("count").GetInt32());
        double micro = metrics.GetProperty("microAccuracy").GetDouble();
        Assert.True(micro >= 0.905, $"EMNIST-47 test accuracy {micro:P2} is below the 90.5% floor");
        Assert.Equal(47, metrics.GetProperty("perClass").GetArrayLength());
    }

    /// <summary>
    /// The Kannada digit model on the 2,000 images its training run held out (the set has no test split; the same
    /// stratified split, seed 42, 20%), through the ML.NET pipeline, with its labels written in Kannada.
    /// </summary>
    [RealDataFact("kannada")]
    public void KannadaModelReachesItsFloorOnTheHeldOutImages()
    {
        string folder = Path.Combine(Environment.GetEnvironmentVariable("CRNN_DATA_DIR")!, "kannada");
        var metrics = RunJson("evaluate", "--model", RepoFile("models", "kannada-crnn.onnx"), "--dataset", folder, "--held-out", "--json");
        Assert.Equal(2_000, metrics.GetProperty("count").GetInt32());
        Assert.Equal(["೦", "೧", "೨", "೩", "೪", "೫", "೬", "೭", "೮", "೯"], metrics.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        double micro = metrics.GetProperty("microAccuracy").GetDouble();
        Assert.True(micro >= KannadaFloor, $"Kannada held-out accuracy {micro:P2} is below the {KannadaFloor:P1} floor");
    }

    /// <summary>The Tifinagh letter model on the 13,200 images its training run held out, labelled by models/tifinagh-mapping.txt.</summary>
    [RealDataFact("tifinagh")]
    public void TifinaghModelReachesItsFloorOnTheHeldOutImages()
    {
        string folder = Path.Combine(Environment.GetEnvironmentVariable("CRNN_DATA_DIR")!, "tifinagh");
        var metrics = RunJson("evaluate", "--model", RepoFile("models", "tifinagh-crnn.onnx"), "--dataset", folder,
            "--mapping", RepoFile("models", "tifinagh-mapping.txt"), "--held-out", "--json");
        Assert.Equal(13_200, metrics.GetProperty("count").GetInt32());
        Assert.Equal(33, metrics.GetProperty("perClass").GetArrayLength());
        Assert.Contains("ⴳⵯ", metrics.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        double micro = metrics.GetProperty("microAccuracy").GetDouble();
        Assert.True(micro >= TifinaghFloor, $"Tifinagh held-out accuracy {micro:P2} is below the {TifinaghFloor:P1} floor");
    }

    // Floors a little under the figures in models/MODEL_CARD.md, so that a retrained model may not ship worse.
    private const double KannadaFloor = 0.98;     // 99.05% in the model card
    private const double TifinaghFloor = 0.995;   // 100.00% in the model card; the issue's goal is 99.5%
}
