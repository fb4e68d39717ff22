using System.Text;
using System.Text.Json;
using Crnn.MLNet.Tests.Support;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Tests;

/// <summary>The CLI with labels in another script, and on datasets that have only a training split.</summary>
public sealed class ScriptCommandTests : IDisposable
{
    private static readonly string[] Kannada = ["೦", "೧", "೨", "೩", "೪", "೫", "೬", "೭", "೮", "೯"];
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CrnnCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A train-only IDX folder of <paramref name="count"/> blob images, with a mapping naming the classes in Kannada.</summary>
    private string WriteTrainOnlyDataset(int count = 200)
    {
        var rng = new Random(3);
        var pixels = new byte[count * 784];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % 10;
            for (int p = 0; p < 784; p++)
            {
                int x = p % 28, y = p / 28;
                pixels[i * 784 + p] = Math.Abs(x - 14) + Math.Abs(y - 10 - labels[i] % 8) < 6 ? (byte)rng.Next(150, 256) : (byte)0;
            }
        }
        string folder = _dir.Combine("kannada-like");
        Directory.CreateDirectory(folder);
        IdxWriter.WriteSplit(folder, DatasetSplit.Train, new CharacterDataset("k", pixels, labels, 28, 28, Kannada));
        File.WriteAllLines(Path.Combine(folder, DatasetLoader.CustomMappingFileName), Kannada.Select((l, i) => $"{i} {char.ConvertToUtf32(l, 0)}"));
        return folder;
    }

    [Fact]
    public void Held_out_evaluation_uses_the_trainers_validation_images_and_json_keeps_the_script()
    {
        string folder = WriteTrainOnlyDataset();
        string model = _dir.Combine("kannada.onnx");
        File.WriteAllBytes(model, TestModels.Build(Kannada));

        var (code, json, err) = Run("evaluate", "--model", model, "--dataset", folder, "--held-out", "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("held-out", doc.RootElement.GetProperty("split").GetString());
        Assert.Equal(40, doc.RootElement.GetProperty("count").GetInt32());   // 20% of each class, as crnn train holds out
        Assert.Equal(Kannada, doc.RootElement.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains("\"೦\"", json);          // written as itself, not as \u0CE6
        Assert.DoesNotContain("\\u0CE6", json);

        // A different --val-fraction takes a different share; without --held-out a train-only folder has no test split.
        var (code2, json2, _) = Run("evaluate", "--model", model, "--dataset", folder, "--held-out", "--val-fraction", "0.5", "--json");
        Assert.Equal(0, code2);
        Assert.Equal(100, JsonDocument.Parse(json2).RootElement.GetProperty("count").GetInt32());
        var (code3, _, err3) = Run("evaluate", "--model", model, "--dataset", folder);
        Assert.NotEqual(0, code3);
        Assert.Contains("no test split", err3);
    }

    [Fact]
    public void A_mapping_file_names_the_classes_of_a_dataset_without_one()
    {
        string folder = WriteTrainOnlyDataset();
        File.Delete(Path.Combine(folder, DatasetLoader.CustomMappingFileName));
        string mapping = _dir.Combine("names.txt");
        File.WriteAllText(mapping, string.Concat(Kannada.Select((l, i) => $"{i} {l}\n")), new UTF8Encoding(false));
        var (code, text, err) = Run("data", "info", "--dataset", folder, "--mapping", mapping);
        Assert.True(code == 0, err);
        Assert.Contains("Classes:  10", text);
        Assert.Contains("೯", text);

        var (missing, _, missingErr) = Run("data", "info", "--dataset", folder, "--mapping", _dir.Combine("nope.txt"));
        Assert.NotEqual(0, missing);
        Assert.Contains("nope.txt", missingErr);
    }

    [Fact]
    public void A_line_model_trains_and_reads_with_labels_of_several_utf16_units()
    {
        // Classes 0 and 1 are a labialised Tifinagh letter (two code points) and a digit beyond the BMP (a surrogate pair).
        string folder = WriteTrainOnlyDataset();
        File.Delete(Path.Combine(folder, DatasetLoader.CustomMappingFileName));
        string[] names = ["ⴳⵯ", "𝟘", .. Kannada[2..]];
        string mapping = _dir.Combine("names.txt");
        File.WriteAllText(mapping, string.Concat(names.Select((l, i) => $"{i} {l}\n")), new UTF8Encoding(false));
        string run = _dir.Combine("run");
        var (code, _, err) = Run("train-lines", "--dataset", folder, "--mapping", mapping, "--out", run, "--epochs", "1",
            "--lines-per-epoch", "64", "--batch-size", "16", "--val-lines", "16", "--test-lines", "0", "--max-length", "4",
            "--widths", "8,8,8", "--hidden", "8", "--threads", "1");
        Assert.True(code == 0, err);
        string model = Path.Combine(run, "model.onnx");
        string line = _dir.Combine("line.png");
        File.WriteAllBytes(line, TestLineModels.Png("123"));

        var (readCode, json, readErr) = Run("read", "--model", model, "--json", "--top", "3", line);
        Assert.True(readCode == 0, readErr);
        using var doc = JsonDocument.Parse(json);
        var result = doc.RootElement[0];
        var characters = result.GetProperty("characters").EnumerateArray().Select(c => c.GetProperty("character").GetString()!).ToList();
        Assert.Equal(result.GetProperty("text").GetString(), string.Concat(characters));
        Assert.All(characters, c => Assert.Contains(c, names));
        Assert.All(result.GetProperty("characters").EnumerateArray().SelectMany(c => c.GetProperty("alternatives").EnumerateArray()),
            a => Assert.Contains(a.GetProperty("character").GetString(), names));

        // The constraint sees the two-unit labels whole: only they may be read.
        var (constrainedCode, text, constrainedErr) = Run("read", "--model", model, "--pattern", "(ⴳⵯ|𝟘)+", line);
        Assert.True(constrainedCode == 0, constrainedErr);
        Assert.Matches("^\\S+\t(ⴳⵯ|𝟘)+\t", text);
    }
}
