using System.Diagnostics;
using System.Text.Json;
using Crnn.MLNet.Tests.Support;
using Crnn.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Tests;

/// <summary>
/// Saved in this process, loaded in another (Crnn.MLNet.SavedModelProbe, as a batch job or a server would): the
/// classifier and the text pipelines give the same outputs there, by stock <c>Model.Load</c> and by <c>CrnnModel.Load</c>.
/// </summary>
public class CrossProcessTests
{
    public sealed class FileRow { public string ImagePath { get; set; } = ""; public string Label { get; set; } = ""; }

    [Theory]
    [InlineData("stock")]
    [InlineData("batched")]
    public void Classifier_pipeline_saved_here_predicts_the_same_in_a_new_process(string load)
    {
        using var set = new DigitSet(count: 12);
        var ml = new MLContext(1);
        var rows = set.Paths.Select((p, i) => new FileRow { ImagePath = Path.GetFileName(p), Label = set.Labels[i] }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.LoadImages("Image", set.Dir.Path, nameof(FileRow.ImagePath))
            .Append(ml.Transforms.Conversion.MapLabelsToCrnnKeys(TestModels.Digits, "Label"))
            .AppendCrnnClassifier(ml, set.ModelPath, new CrnnClassifierOptions(inputColumnName: "Image", batchSize: 5));
        var model = pipeline.Fit(data);
        var scored = model.Transform(data);
        var text = scored.GetColumn<string>("PredictedLabelText").ToArray();
        var score = scored.GetColumn<float[]>("Score").ToArray();

        string zip = set.Dir.File("classifier.zip");
        ml.Model.Save(model, data.Schema, zip);
        var child = Probe(load, zip, WriteTsv(set.Dir, rows), "PredictedLabelText", "Score");

        Assert.Equal(text, child.Select(r => r.GetProperty("PredictedLabelText").GetString()));
        for (int i = 0; i < score.Length; i++)
        {
            var other = child[i].GetProperty("Score").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.Equal(score[i].Length, other.Length);
            for (int c = 0; c < other.Length; c++) Assert.True(Math.Abs(score[i][c] - other[c]) < 1e-5, $"row {i} class {c}: {score[i][c]} vs {other[c]}");
        }
    }

    [Theory]
    [InlineData("stock")]
    [InlineData("batched")]
    public void Text_pipeline_saved_here_reads_the_same_in_a_new_process(string load)
    {
        using var dir = new TempDir();
        string modelPath = TestModels.WriteTemp(dir, TestLineModels.Build(), "lines.onnx");
        var rows = new[] { "123", "2 1 3", "11", "3 2" }.Select((g, i) =>
        {
            File.WriteAllBytes(dir.File($"line{i}.png"), TestLineModels.Png(g));
            return new FileRow { ImagePath = $"line{i}.png", Label = g.Replace(" ", "") };
        }).ToArray();
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.LoadImages("Image", dir.Path, nameof(FileRow.ImagePath))
            .AppendCrnnTextRecognizer(ml, modelPath, "Image")
            .Fit(data);
        var scored = model.Transform(data);
        var texts = scored.GetColumn<string>("Text").ToArray();
        var confidences = scored.GetColumn<float>("Confidence").ToArray();
        var alternatives = scored.GetColumn<string[]>("Alternatives").ToArray();
        Assert.Equal(rows.Take(3).Select(r => r.Label), texts.Take(3));

        string zip = dir.File("text.zip");
        ml.Model.Save(model, data.Schema, zip);
        (model as IDisposable)?.Dispose();
        var child = Probe(load, zip, WriteTsv(dir, rows), "Text", "Confidence", "Alternatives");

        Assert.Equal(texts, child.Select(r => r.GetProperty("Text").GetString()));
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.True(Math.Abs(confidences[i] - child[i].GetProperty("Confidence").GetSingle()) < 1e-5, $"row {i}");
            Assert.Equal(alternatives[i], child[i].GetProperty("Alternatives").EnumerateArray().Select(v => v.GetString()!));
        }
    }

    private static string WriteTsv(TempDir dir, FileRow[] rows)
    {
        string path = dir.File("input.tsv");
        File.WriteAllLines(path, rows.Select(r => $"{r.ImagePath}\t{r.Label}").Prepend("ImagePath\tLabel"));
        return path;
    }

    private static JsonElement[] Probe(string load, string zip, string tsv, params string[] columns)
    {
        string probe = Path.Combine(AppContext.BaseDirectory, "Crnn.MLNet.SavedModelProbe.dll");
        Assert.True(File.Exists(probe), $"{probe} is missing: the test project references the probe project");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { probe, load, zip, tsv }.Concat(columns)) info.ArgumentList.Add(a);
        var stdout = new List<string>();
        var stderr = new System.Text.StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (!string.IsNullOrEmpty(e.Data)) lock (stdout) stdout.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the probe did not finish in 2 minutes");
        process.WaitForExit(); // drains the output events
        Assert.True(process.ExitCode == 0, $"the probe failed ({process.ExitCode}): {stderr}");
        return stdout.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
    }
}
