using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Cli.Tests.Reliability;

/// <summary>
/// Every kind of error a user can provoke from the command line ends in exactly one line <c>crnn: error: ...</c> on
/// stderr (no stack trace, no help dump) and a non-zero exit code: 2 for usage errors, 1 for the rest.
/// </summary>
public sealed class CliErrorMessageTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string AssertOneLineError(int expectedCode, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CrnnCli.Run(args, stdout, stderr);
        string err = stderr.ToString();
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string all = string.Join(" | ", lines);
        Assert.True(code == expectedCode, $"exit {code}, expected {expectedCode}: {all}");
        var errors = lines.Where(l => l.StartsWith("crnn: error: ", StringComparison.Ordinal)).ToArray();
        Assert.True(errors.Length == 1, $"expected one error line: {all}");
        Assert.Equal(errors[0], lines[^1]);
        Assert.DoesNotContain(lines, l => l.StartsWith("at ", StringComparison.Ordinal) || l.Contains("Exception:", StringComparison.Ordinal));
        Assert.DoesNotContain("Usage:", stdout.ToString());
        return errors[0];
    }

    private string Png(string name)
    {
        using var bmp = TestImages.Text("4", 60, 60);
        string path = _dir.File(name);
        TestImages.Save(bmp, path);
        return path;
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("train", "--bogus")]
    [InlineData("train", "--dataset", "mnist", "--epochs", "abc")]
    [InlineData("predict")]
    [InlineData("export", "--out", "x.onnx")]
    public void Bad_arguments_are_one_line_usage_errors(params string[] args)
    {
        string line = AssertOneLineError(CliErrors.Usage, args);
        Assert.Contains("--help", line);
    }

    [Fact]
    public void Bad_values_found_after_parsing_are_usage_errors()
    {
        AssertOneLineError(CliErrors.Usage, "predict", "--top", "0", "x.png");
        AssertOneLineError(CliErrors.Usage, "train", "--dataset", TinyDataset.Write(_dir.File("ds")), "--widths", "4,x", "--out", _dir.File("run"));
    }

    [Fact]
    public void Missing_model_and_missing_image_are_named()
    {
        string model = TestModels.WriteTemp(_dir, TestModels.Build());
        Assert.Contains("nope.onnx", AssertOneLineError(CliErrors.Failure, "predict", "--model", _dir.File("nope.onnx"), Png("a.png")));
        Assert.Contains("missing.png", AssertOneLineError(CliErrors.Failure, "predict", "--model", model, _dir.File("missing.png")));
    }

    [Fact]
    public void Corrupt_image_and_decompression_bomb_are_named()
    {
        string model = TestModels.WriteTemp(_dir, TestModels.Build());
        string bad = _dir.File("bad.png");
        File.WriteAllBytes(bad, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        Assert.Contains("bad.png", AssertOneLineError(CliErrors.Failure, "predict", "--model", model, bad));
        string bomb = _dir.File("bomb.png");
        File.WriteAllBytes(bomb, Crnn.MLNet.Tests.Reliability.PngBomb.Create(20_000, 20_000, fullData: false));
        Assert.Contains("MaxImagePixels", AssertOneLineError(CliErrors.Failure, "predict", "--model", model, bomb));
    }

    [Fact]
    public void Corrupt_models_are_named()
    {
        string garbage = _dir.File("garbage.onnx");
        File.WriteAllText(garbage, "this is not a model\nsecond line\n");
        string png = Png("a.png");
        Assert.Contains("garbage.onnx", AssertOneLineError(CliErrors.Failure, "predict", "--model", garbage, png));
        string badMeta = TestModels.WriteTemp(_dir, TestModels.Build(metadataJson: "{\"labels\": [\"a\"]"), "meta.onnx");
        Assert.Contains("meta.onnx", AssertOneLineError(CliErrors.Failure, "predict", "--model", badMeta, png));
        string shape = TestModels.WriteTemp(_dir, TestModels.Build(inputShape: [-1, 1, 32, 32]), "shape.onnx");
        Assert.Contains("shape.onnx", AssertOneLineError(CliErrors.Failure, "evaluate", "--model", shape, "--split", "Train", "--dataset", TinyDataset.Write(_dir.File("ds"))));
        string empty = _dir.File("empty.onnx");
        File.WriteAllBytes(empty, []);
        Assert.Contains("empty.onnx", AssertOneLineError(CliErrors.Failure, "predict", "--model", empty, png));
    }

    [Fact]
    public void Unknown_dataset_and_bad_dataset_files_are_named()
    {
        Assert.Contains("unknown dataset 'nope'", AssertOneLineError(CliErrors.Usage, "train", "--dataset", "nope", "--out", _dir.File("run")));
        Assert.Contains("does not exist", AssertOneLineError(CliErrors.Failure, "data", "info", "--dataset", _dir.File("no-such-folder")));
        string badLabels = TinyDataset.Write(_dir.File("bad-labels"), badLabel: 42);
        Assert.Contains("label 42 of item 20", AssertOneLineError(CliErrors.Failure, "train", "--dataset", badLabels, "--out", _dir.File("run2")));
        string truncated = TinyDataset.Write(_dir.File("truncated"));
        string images = Path.Combine(truncated, "train-images-idx3-ubyte");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..1000]);
        Assert.Contains("truncated", AssertOneLineError(CliErrors.Failure, "train", "--dataset", truncated, "--out", _dir.File("run3")));
    }

    [Fact]
    public void Corrupt_checkpoint_is_named_by_export_and_by_resume()
    {
        string ckpt = _dir.File("checkpoint.ckpt");
        File.WriteAllText(ckpt, "garbage");
        Assert.Contains("checkpoint.ckpt", AssertOneLineError(CliErrors.Failure, "export", "--checkpoint", ckpt, "--out", _dir.File("m.onnx")));
        Assert.Contains("not found", AssertOneLineError(CliErrors.Failure, "export", "--checkpoint", _dir.File("none.ckpt"), "--out", _dir.File("m.onnx")));

        string run = _dir.File("run");
        Directory.CreateDirectory(run);
        File.WriteAllBytes(Path.Combine(run, "checkpoint.ckpt"), [0x50, 0x4B, 3, 4, 0, 0]);
        string line = AssertOneLineError(CliErrors.Failure, [.. TinyDataset.TrainArgs(TinyDataset.Write(_dir.File("ds")), run), "--resume"]);
        Assert.Contains("checkpoint.ckpt", line);
    }

    [Fact]
    public void Diverging_training_is_one_line_naming_where_and_keeping_the_last_checkpoint()
    {
        // AdamW at the largest allowed rate with a huge (allowed) decay: each step multiplies the weights by about -9.
        string run = _dir.File("run");
        string line = AssertOneLineError(CliErrors.Failure, [.. TinyDataset.TrainArgs(TinyDataset.Write(_dir.File("ds")), run, epochs: 20, batchSize: 4),
            "--optimizer", "adamw", "--lr", "10", "--weight-decay", "0.99", "--schedule", "constant", "--clip", "0", "--no-augment"]);
        Assert.Matches(@"^crnn: error: training diverged: .* (at|after) epoch (\d+), step \d+/\d+ \(global step \d+, .*'crnn info'", line);
        int epoch = int.Parse(System.Text.RegularExpressions.Regex.Match(line, @"epoch (\d+), step").Groups[1].Value);
        Assert.True(epoch >= 2, line);
        string checkpoint = Path.Combine(run, "checkpoint.ckpt");
        Assert.Contains($"{checkpoint} (epoch {epoch - 1})", line);
        Assert.Equal(epoch - 1, Crnn.MLNet.Training.Training.TrainingCheckpoint.ReadState(checkpoint).EpochsCompleted);
        Assert.False(File.Exists(Path.Combine(run, "summary.json")));
    }

    [ScratchMountFact(readOnlyFallback: true)]
    public void Read_only_output_folder_is_a_one_line_error()
    {
        var (folder, cleanup) = ScratchMount.ReadOnlyFolder() ?? throw new InvalidOperationException("no read-only folder although the probe found a way to make one");
        using (cleanup)
        {
            string ds = TinyDataset.Write(_dir.File("ds"));
            string line = AssertOneLineError(CliErrors.Failure, TinyDataset.TrainArgs(ds, Path.Combine(folder, "run")));
            Assert.Contains(Path.Combine(folder, "run"), line);
            line = AssertOneLineError(CliErrors.Failure, "export", "--checkpoint", _dir.File("none.ckpt"), "--out", Path.Combine(folder, "m.onnx"));
            Assert.Contains("none.ckpt", line);
        }
    }

    [ScratchMountFact]
    public void Full_disk_is_a_one_line_error_and_leaves_no_temporary_file()
    {
        using var mount = ScratchMount.TryMount("size=16k") ?? throw new InvalidOperationException("tmpfs mount failed although the probe succeeded");
        string ds = TinyDataset.Write(_dir.File("ds"));
        string run = Path.Combine(mount.Path, "run");
        string line = AssertOneLineError(CliErrors.Failure, TinyDataset.TrainArgs(ds, run));
        Assert.Contains("disk is full", line);
        Assert.Empty(Directory.EnumerateFiles(mount.Path, "*.tmp", SearchOption.AllDirectories));
    }
}
