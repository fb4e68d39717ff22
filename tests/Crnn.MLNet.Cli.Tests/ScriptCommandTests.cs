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
}
