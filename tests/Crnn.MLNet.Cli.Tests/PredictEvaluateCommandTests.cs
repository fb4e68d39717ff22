using System.Text.Json;
using Crnn.MLNet.Cli;
using Crnn.MLNet.Tests.Support;
using Crnn.MLNet.Training.Data;
using SkiaSharp;

namespace Crnn.MLNet.Cli.Tests;

public class PredictEvaluateCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CrnnCli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static string Png(TempDir dir, string name, string text, bool darkOnLight = true)
    {
        using var bmp = new SKBitmap(90, 120);
        using (var canvas = new SKCanvas(bmp))
        {
            canvas.Clear(darkOnLight ? SKColors.White : SKColors.Black);
            using var paint = new SKPaint { Color = darkOnLight ? SKColors.Black : SKColors.White, TextSize = 90, IsAntialias = true, TextAlign = SKTextAlign.Center };
            canvas.DrawText(text, 45, 95, paint);
        }
        string path = dir.File(name);
        using var data = bmp.Encode(name.EndsWith(".jpg") ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png, 90);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    [Fact]
    public void Predict_prints_one_tab_separated_line_per_file()
    {
        using var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestModels.Build());
        string a = Png(dir, "a.png", "3"), b = Png(dir, "b.jpg", "7", darkOnLight: false);
        var (code, output, err) = Run("predict", "--model", model, a, b);
        Assert.Equal(0, code);
        Assert.Equal("", err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var fields = lines[0].Split('\t');
        Assert.Equal(a, fields[0]);
        Assert.Contains(fields[1], TestModels.Digits);
        Assert.Matches(@"^[01]\.\d{4}$", fields[2]);
        Assert.StartsWith(b + "\t", lines[1]);

        var (_, top, _) = Run("predict", "--model", model, "--top", "3", a);
        Assert.Equal(7, top.Trim().Split('\t').Length);
    }

    [Fact]
    public void Predict_reports_bad_files_on_stderr_and_fails_after_the_rest()
    {
        using var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestModels.Build());
        string good = Png(dir, "good.png", "1"), bad = dir.File("bad.png"), missing = dir.File("missing.png");
        File.WriteAllText(bad, "not an image");
        var (code, output, err) = Run("predict", "--model", model, bad, good, missing);
        Assert.Equal(1, code);
        Assert.StartsWith(good + "\t", output);
        var errors = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, errors.Length);
        Assert.Contains(bad, errors[0]);
        Assert.Contains(missing, errors[1]);
        Assert.All(errors, l => Assert.StartsWith("crnn: error: ", l));
    }

    [Fact]
    public void Predict_json_is_an_array_with_errors_inline()
    {
        using var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestModels.Build());
        string good = Png(dir, "good.png", "1");
        var (code, output, _) = Run("predict", "--model", model, "--json", "--top", "2", good, dir.File("nope.png"));
        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(output);
        var items = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, items.Length);
        Assert.Equal(2, items[0].GetProperty("top").GetArrayLength());
        Assert.True(items[0].GetProperty("confidence").GetDouble() > 0);
        Assert.Contains("file not found", items[1].GetProperty("error").GetString());
    }

    [Fact]
    public void Predict_with_a_wrong_model_says_why()
    {
        using var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestModels.Build(withMetadata: false));
        var (code, _, err) = Run("predict", "--model", model, Png(dir, "a.png", "1"));
        Assert.Equal(1, code);
        Assert.Contains("metadata 'crnn.metadata' is missing", err);
    }

    private static string WriteDataset(TempDir dir, string[] labelNames, int count = 60)
    {
        var rng = new Random(2);
        var pixels = new byte[count * 784];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = (i * 7) % labelNames.Length;
            for (int p = 0; p < 784; p++)
            {
                int x = p % 28, y = p / 28;
                pixels[i * 784 + p] = Math.Abs(x - 14) + Math.Abs(y - 10 - labels[i] % 8) < 6 ? (byte)rng.Next(150, 256) : (byte)0;
            }
        }
        string folder = Path.Combine(dir.Path, "set");
        Directory.CreateDirectory(folder);
        IdxWriter.WriteSplit(folder, DatasetSplit.Test, new CharacterDataset("set", pixels, labels, 28, 28, labelNames));
        // The label names: 'class-index character-code' lines.
        File.WriteAllLines(Path.Combine(folder, DatasetLoader.CustomMappingFileName), labelNames.Select((l, i) => $"{i} {char.ConvertToUtf32(l, 0)}"));
        return folder;
    }

    [Fact]
    public void Evaluate_prints_metrics_and_confusion_as_json()
    {
        using var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestModels.Build());
        string folder = WriteDataset(dir, TestModels.Digits);
        string png = dir.File("cm.png");
        var (code, output, err) = Run("evaluate", "--model", model, "--dataset", folder, "--json", "--plot", png);
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(60, root.GetProperty("count").GetInt32());
        double micro = root.GetProperty("microAccuracy").GetDouble();
        Assert.InRange(micro, 0, 1);
        Assert.True(root.TryGetProperty("macroAccuracy", out _));
        Assert.True(root.TryGetProperty("logLoss", out _));
        var confusion = root.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt32()).ToArray()).ToArray();
        Assert.Equal(60, confusion.Sum(r => r.Sum()));
        Assert.Equal(micro, confusion.Select((r, i) => r[i]).Sum() / 60.0, 6);
        Assert.Equal(10, root.GetProperty("perClass").GetArrayLength());
        Assert.True(new FileInfo(png).Length > 1000);
        Assert.Contains("evaluate:", err);

        var (code2, text, _) = Run("evaluate", "--model", model, "--dataset", folder);
        Assert.Equal(0, code2);
        Assert.Contains("micro-accuracy", text);
        Assert.Contains("confusion matrix", text);
    }

    [Fact]
    public void Evaluate_matches_labels_by_text_whatever_their_order()
    {
        using var dir = new TempDir();
        // The model's classes are "a".."j"; the dataset stores them in reverse order. Accuracy computed by hand
        // from the recogniser must equal the evaluator's.
        string[] modelLabels = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
        string model = TestModels.WriteTemp(dir, TestModels.Build(labels: modelLabels));
        string folder = WriteDataset(dir, modelLabels.Reverse().ToArray());
        var (code, output, err) = Run("evaluate", "--model", model, "--dataset", folder, "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        double micro = doc.RootElement.GetProperty("microAccuracy").GetDouble();

        var data = DatasetLoader.Load(new DatasetRequest(folder), DatasetSplit.Test);
        using var recognizer = Crnn.MLNet.Recognition.CrnnRecognizer.Open(model);
        int correct = Enumerable.Range(0, data.Count).Count(i =>
            recognizer.Predict(data.Image(i), 28, 28, Crnn.MLNet.Imaging.CharacterFraming.None).Label == data.LabelNames[data.Labels[i]]);
        Assert.Equal(correct / (double)data.Count, micro, 6);
    }

    [Fact]
    public void Evaluate_refuses_a_dataset_label_the_model_lacks()
    {
        using var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestModels.Build());
        string folder = WriteDataset(dir, ["0", "1", "2", "x"]);
        var (code, _, err) = Run("evaluate", "--model", model, "--dataset", folder);
        Assert.Equal(1, code);
        Assert.Contains("label 'x' is not among the model's 10 labels", err);
    }
}
