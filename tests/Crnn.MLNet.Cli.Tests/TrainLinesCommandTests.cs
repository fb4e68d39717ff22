using System.Text.Json;
using Crnn.MLNet.Model;
using Microsoft.ML.OnnxRuntime;

namespace Crnn.MLNet.Cli.Tests;

/// <summary><c>crnn train-lines</c>, <c>crnn make-lines</c> and <c>crnn export</c> of a line checkpoint, end to end with a tiny model.</summary>
[Collection("torch")]
public sealed class TrainLinesCommandTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static readonly string[] Tiny = ["--widths", "8,16,24", "--hidden", "24", "--threads", "2", "--max-length", "3"];

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CrnnCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [RealDataFact]
    public void TrainLinesWritesACheckpointAndALineModel()
    {
        string outDir = temp.Combine("lines");
        var (code, output, err) = Run(["train-lines", "--dataset", "mnist", "--limit", "2000", "--epochs", "2", "--lines-per-epoch", "320",
            "--val-lines", "50", "--test-lines", "60", "--realism", "0.5", "--out", outDir, .. Tiny]);
        Assert.True(code == 0, err);
        Assert.Contains("Test (60 fixed lines, greedy)", output);
        Assert.Contains("epoch 1/2:", err);
        Assert.Contains("epoch 2/2:", err);
        foreach (var file in new[] { "checkpoint.ckpt", "history.json", "summary.json", "model.onnx" })
            Assert.True(File.Exists(Path.Combine(outDir, file)), file);
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json"))))
        {
            Assert.Equal(60, summary.RootElement.GetProperty("test").GetProperty("lines").GetInt32());
            Assert.Equal(0.5, summary.RootElement.GetProperty("realism").GetDouble());
        }

        // The model is a line model with a dynamic width and the run's figures in its metadata.
        using (var session = new InferenceSession(Path.Combine(outDir, "model.onnx")))
        {
            var metadata = CrnnLineModelMetadata.FromJson(session.ModelMetadata.CustomMetadataMap[CrnnModelMetadata.MetadataKey], "model.onnx");
            Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), metadata.Labels);
            Assert.True(metadata.Metrics!.ContainsKey("testCharacterErrorRate"));
            Assert.Equal(-1, session.InputMetadata["input"].Dimensions[3]);
        }

        // Export from the checkpoint gives the same bytes (export recognises a line checkpoint).
        string again = temp.Combine("again.onnx");
        var (exportCode, _, exportErr) = Run("export", "--checkpoint", Path.Combine(outDir, "checkpoint.ckpt"), "--out", again);
        Assert.True(exportCode == 0, exportErr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(outDir, "model.onnx")), File.ReadAllBytes(again));
    }

    [RealDataFact]
    public void FineTuningOnOwnLinesHoldsOutWholePagesAndReportsBeforeAndAfter()
    {
        // "Your own lines": scanned-looking lines on 8 pages of 5, and one line with a letter the digit model lacks.
        string own = temp.Combine("own");
        Assert.Equal(0, Run("make-lines", "--dataset", "mnist", "--count", "40", "--max-length", "3", "--realism", "1", "--out", own).Code);
        string[] labelLines = File.ReadAllLines(Path.Combine(own, "labels.tsv"));
        File.AppendAllText(Path.Combine(own, "labels.tsv"), labelLines[0].Split('\t')[0] + "\t4a\n");
        File.WriteAllLines(Path.Combine(own, "pages.tsv"), labelLines.Select((l, i) => $"{l.Split('\t')[0]}\tpage{i / 5}"));

        string seed = temp.Combine("seed");
        var (code, _, err) = Run(["train-lines", "--dataset", "mnist", "--limit", "2000", "--epochs", "1", "--lines-per-epoch", "160",
            "--val-lines", "30", "--test-lines", "0", "--no-export", "--out", seed, .. Tiny]);
        Assert.True(code == 0, err);

        // What a shipped model's seed is: state and best weights only, smaller, usable by --init-from and not by --resume.
        string compact = temp.Combine("seed-only.ckpt");
        (code, var output, err) = Run("export", "--checkpoint", Path.Combine(seed, "checkpoint.ckpt"), "--out", compact, "--fine-tuning-seed");
        Assert.True(code == 0, err);
        Assert.Contains("a fine-tuning seed", output);
        Assert.True(new FileInfo(compact).Length < new FileInfo(Path.Combine(seed, "checkpoint.ckpt")).Length / 2);

        string tuned = temp.Combine("tuned");
        (code, output, err) = Run(["train-lines", "--dataset", "mnist", "--limit", "2000", "--epochs", "1", "--lines-per-epoch", "160",
            "--test-lines", "0", "--no-export", "--lines", own, "--init-from", compact, "--out", tuned, .. Tiny]);
        Assert.True(code == 0, err);
        Assert.Contains("1 left out (characters outside the model's labels)", err);
        Assert.Contains("Your held-out lines (", output);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(tuned, "summary.json")));
        var ownLines = summary.RootElement.GetProperty("ownLines");
        int training = ownLines.GetProperty("trainingLines").GetInt32(), validation = ownLines.GetProperty("validationLines").GetInt32();
        Assert.Equal(40, training + validation);
        Assert.Equal(1, ownLines.GetProperty("skipped").GetInt32());
        // Whole pages of 5 held out (20% of 40 lines: 8 lines, so two pages), and none of them trained on.
        var pages = ownLines.GetProperty("validationPages").EnumerateArray().Select(p => p.GetString()).ToArray();
        Assert.Equal(2, pages.Length);
        Assert.Equal(10, validation);
        Assert.Equal(validation, summary.RootElement.GetProperty("initialValidation").GetProperty("lines").GetInt32());

        string resumed = temp.Combine("resumed");
        Directory.CreateDirectory(resumed);
        File.Copy(compact, Path.Combine(resumed, "checkpoint.ckpt"));
        (code, _, err) = Run(["train-lines", "--dataset", "mnist", "--limit", "2000", "--epochs", "1", "--lines-per-epoch", "160",
            "--val-lines", "30", "--test-lines", "0", "--no-export", "--resume", "--out", resumed, .. Tiny]);
        Assert.NotEqual(0, code);
        Assert.Contains("cannot be resumed: start a run from it with --init-from", err);

        (code, _, err) = Run(["train-lines", "--dataset", "mnist", "--own-share", "0.3", "--out", temp.Combine("no"), .. Tiny]);
        Assert.Equal(2, code);
        Assert.Contains("--own-share and --own-limit need --lines", err);
    }

    [RealDataFact]
    public void MakeLinesWritesTheSameFixedSetEveryTimeAndRefusesToOverwrite()
    {
        string a = temp.Combine("a"), b = temp.Combine("b");
        var (code, output, err) = Run("make-lines", "--dataset", "mnist", "--count", "25", "--out", a);
        Assert.True(code == 0, err);
        Assert.Contains("Wrote 25 lines", output);
        Assert.Equal(0, Run("make-lines", "--dataset", "mnist", "--count", "25", "--out", b).Code);
        string[] labels = File.ReadAllLines(Path.Combine(a, "labels.tsv"));
        Assert.Equal(25, labels.Length);
        Assert.Equal(labels, File.ReadAllLines(Path.Combine(b, "labels.tsv")));
        // Lengths cycle 1..10; the text is digits; every listed PNG exists and is identical in both folders.
        Assert.Equal(Enumerable.Range(0, 25).Select(i => 1 + i % 10), labels.Select(l => l.Split('\t')[1].Length));
        foreach (var line in labels)
        {
            var parts = line.Split('\t');
            Assert.Matches("^[0-9]+$", parts[1]);
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, parts[0])), File.ReadAllBytes(Path.Combine(b, parts[0])));
        }

        var (again, _, againErr) = Run("make-lines", "--dataset", "mnist", "--count", "25", "--out", a);
        Assert.NotEqual(0, again);
        Assert.Contains("labels.tsv exists", againErr);
    }

    [RealDataFact]
    public void MakeLinesWithRealismWritesScannedLookingCropsWithTheSameTexts()
    {
        string clean = temp.Combine("clean"), real = temp.Combine("real");
        Assert.Equal(0, Run("make-lines", "--dataset", "mnist", "--count", "20", "--out", clean).Code);
        var (code, _, err) = Run("make-lines", "--dataset", "mnist", "--count", "20", "--realism", "1", "--out", real);
        Assert.True(code == 0, err);
        var labels = File.ReadAllLines(Path.Combine(real, "labels.tsv")).Select(l => l.Split('\t')).ToArray();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => 1 + i % 10), labels.Select(l => l[1].Length));
        foreach (var parts in labels)
        {
            Assert.Matches("^[0-9]+$", parts[1]); // drawn punctuation is not in the text
            using var image = SkiaSharp.SKBitmap.Decode(Path.Combine(real, parts[0]));
            using var cleanImage = SkiaSharp.SKBitmap.Decode(Path.Combine(clean, parts[0]));
            // A page as scanned, not the 28-row model input the clean set holds.
            Assert.Equal(28, cleanImage.Height);
            Assert.True(image.Height > 28, $"{parts[0]}: {image.Width}x{image.Height}");
        }
        var (bad, _, badErr) = Run("make-lines", "--dataset", "mnist", "--count", "5", "--realism", "2", "--out", temp.Combine("bad"));
        Assert.NotEqual(0, bad);
        Assert.Contains("0..1", badErr);
    }

    [RealDataFact("emnist47")]
    public void NameLinesAreWrittenAndLearntInBlockCapitals()
    {
        string emnist = Path.Combine(Environment.GetEnvironmentVariable("CRNN_DATA_DIR")!, "emnist47");
        string lines = temp.Combine("names");
        var (code, output, err) = Run("make-lines", "--dataset", emnist, "--text", "names", "--count", "40", "--out", lines);
        Assert.True(code == 0, err);
        Assert.Contains("Wrote 40 lines of 1-24 characters from emnist47-capitals", output);
        var texts = File.ReadAllLines(Path.Combine(lines, "labels.tsv")).Select(l => l.Split('\t')[1]).ToArray();
        Assert.All(texts, t => Assert.Matches("^[0-9A-Z][0-9A-Z ,.'-]{0,23}$", t));
        Assert.Contains(texts, t => t.Contains(' '));

        string run = temp.Combine("names-run");
        (code, output, err) = Run("train-lines", "--dataset", emnist, "--text", "names", "--max-length", "8", "--limit", "3000", "--epochs", "1",
            "--lines-per-epoch", "64", "--val-lines", "20", "--test-lines", "20", "--widths", "8,16,24", "--hidden", "24", "--threads", "2", "--out", run);
        Assert.True(code == 0, err);
        Assert.Contains("Test (20 fixed lines, greedy)", output);
        using var session = new InferenceSession(Path.Combine(run, "model.onnx"));
        var metadata = CrnnLineModelMetadata.FromJson(session.ModelMetadata.CustomMetadataMap[CrnnModelMetadata.MetadataKey], "model.onnx");
        Assert.Equal("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ -'.,".Select(c => c.ToString()), metadata.Labels);

        // Given texts, one line each, in order.
        string given = temp.Combine("given.txt"), written = temp.Combine("given");
        File.WriteAllText(given, "O'BRIEN\n\nDE LA CRUZ\nAB-12\n");
        (code, output, err) = Run("make-lines", "--dataset", emnist, "--text", "names", "--texts", given, "--realism", "1", "--out", written);
        Assert.True(code == 0, err);
        Assert.Contains("Wrote 3 lines of the texts in", output);
        Assert.Equal(["00000.png\tO'BRIEN", "00001.png\tDE LA CRUZ", "00002.png\tAB-12"], File.ReadAllLines(Path.Combine(written, "labels.tsv")));
        File.WriteAllText(given, "SMITH\nSmith\n");
        (code, _, err) = Run("make-lines", "--dataset", emnist, "--text", "names", "--texts", given, "--out", temp.Combine("lower"));
        Assert.Equal(2, code);
        Assert.Contains("text 2 ('Smith'): dataset 'emnist47-capitals' cannot write", err);
        Assert.False(Directory.Exists(temp.Combine("lower")));

        // Digits alone cannot write names: a usage error that says what is missing.
        (code, _, err) = Run("make-lines", "--dataset", "mnist", "--text", "names", "--count", "5", "--out", temp.Combine("digits"));
        Assert.Equal(2, code);
        Assert.Contains("block-capital lines need the classes 0-9 and A-Z; missing A B C", err);
    }

    [RealDataFact]
    public void ResumingAClassifierCheckpointAsLinesIsAClearError()
    {
        string outDir = temp.Combine("cls");
        Assert.Equal(0, Run("train", "--dataset", "mnist", "--limit", "300", "--epochs", "1", "--out", outDir, "--widths", "8,16,24",
            "--convs-per-block", "1", "--hidden", "24", "--threads", "2", "--no-export").Code);
        var (code, _, err) = Run(["train-lines", "--dataset", "mnist", "--limit", "300", "--epochs", "1", "--out", outDir, "--resume", .. Tiny]);
        Assert.NotEqual(0, code);
        Assert.Contains("classifier checkpoint, not a line model's", err);
    }
}
