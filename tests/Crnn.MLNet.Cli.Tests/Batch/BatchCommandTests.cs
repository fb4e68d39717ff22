using System.Globalization;
using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Cli.Tests.Batch;

/// <summary><c>crnn predict/read --input ... --output ...</c> in process: rows, errors as rows, resuming, settings, argument errors.</summary>
public sealed class BatchCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _model;

    public BatchCommandTests() => _model = TestModels.WriteTemp(_dir, TestModels.Build());

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CrnnCli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary><paramref name="count"/> digit images under images/ (two subfolders), plus a corrupt one and an empty one.</summary>
    private string Images(int count, bool bad = true)
    {
        string root = _dir.File("images");
        for (int i = 0; i < count; i++)
        {
            string path = Path.Combine(root, i % 2 == 0 ? "even" : "odd", $"{i:D3}.png");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var bmp = TestImages.Text(TestModels.Digits[i % 10], 40 + i % 7 * 5, 50, size: 36);
            TestImages.Save(bmp, path);
        }
        if (bad)
        {
            File.WriteAllText(Path.Combine(root, "corrupt.png"), "not an image");
            File.WriteAllBytes(Path.Combine(root, "odd", "empty.jpg"), []);
        }
        return root;
    }

    [Fact]
    public void Predict_writes_one_row_per_image_in_walk_order_with_bad_images_as_rows()
    {
        string images = Images(30);
        string output = _dir.File("out/results.jsonl");
        Directory.CreateDirectory(_dir.File("out"));
        var (code, stdout, err) = Run("predict", "--model", _model, "--input", images, "--output", output);
        Assert.True(code == 0, err);
        Assert.Equal("", stdout);
        Assert.Contains("32 rows (2 errors)", err);
        var rows = ResultRows.Read(output);
        var walk = new Cli.Batch.FolderInputSource(images).Enumerate().Select(i => i.Path).ToArray();
        Assert.Equal(32, walk.Length);
        Assert.Equal(walk, rows.Select(ResultRows.Path));

        var errors = rows.Where(r => r.TryGetProperty("error", out _)).ToArray();
        Assert.Equal(["corrupt.png", "empty.jpg"], errors.Select(r => Path.GetFileName(ResultRows.Path(r))));
        Assert.All(errors, r => Assert.Contains(Path.GetFileName(ResultRows.Path(r)), r.GetProperty("error").GetString()));

        // The answers are those of 'crnn predict FILE...'.
        var good = rows.Where(r => !r.TryGetProperty("error", out _)).ToArray();
        var (_, single, _) = Run(["predict", "--model", _model, "--top", "3", .. good.Select(ResultRows.Path)]);
        var lines = single.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(good.Length, lines.Length);
        for (int i = 0; i < good.Length; i++)
        {
            var f = lines[i].Split('\t');
            var alternatives = good[i].GetProperty("alternatives");
            Assert.Equal(3, alternatives.GetArrayLength());
            Assert.Equal(f[1], good[i].GetProperty("label").GetString());
            Assert.Equal(f[1], alternatives[0].GetProperty("label").GetString());
            Assert.Equal(double.Parse(f[2], CultureInfo.InvariantCulture), good[i].GetProperty("confidence").GetDouble(), 4);
            Assert.Equal(f[3], alternatives[1].GetProperty("label").GetString());
        }

        var state = ResultRows.State(output);
        Assert.True(state.GetProperty("finished").GetBoolean());
        Assert.Equal(32, state.GetProperty("rows").GetInt64());
        Assert.Equal(2, state.GetProperty("errors").GetInt64());
        Assert.Equal(new FileInfo(output).Length, state.GetProperty("bytes").GetInt64());
        Assert.Equal("cpu", state.GetProperty("device").GetString());
    }

    [Fact]
    public void An_existing_job_needs_resume_and_a_finished_one_is_left_alone()
    {
        string images = Images(6, bad: false), output = _dir.File("r.jsonl");
        Assert.Equal(0, Run("predict", "--model", _model, "--input", images, "--output", output).Code);
        byte[] before = File.ReadAllBytes(output);

        var (code, _, err) = Run("predict", "--model", _model, "--input", images, "--output", output);
        Assert.Equal(CliErrors.Usage, code);
        Assert.Contains($"crnn: error: {output} exists: add --resume", err);

        (code, _, err) = Run("predict", "--model", _model, "--input", images, "--output", output, "--resume");
        Assert.Equal(0, code);
        Assert.Contains("already finished, 6 rows", err);
        Assert.Equal(before, File.ReadAllBytes(output));
    }

    [Fact]
    public void Resume_cuts_an_unfinished_line_and_ends_with_the_uninterrupted_results()
    {
        string images = Images(40), full = _dir.File("full.jsonl"), cut = _dir.File("cut.jsonl");
        Assert.Equal(0, Run("predict", "--model", _model, "--input", images, "--output", full, "--workers", "1").Code);
        byte[] expected = File.ReadAllBytes(full);

        // What a kill leaves: some whole rows, half a row, and a state file from an earlier checkpoint.
        int newlines = 0, at = 0;
        while (newlines < 17) if (expected[at++] == '\n') newlines++;
        int checkpoint = Array.IndexOf(expected, (byte)'\n', 0) + 1; // one row checkpointed
        File.WriteAllBytes(cut, expected[..(at + 25)]);
        string state = File.ReadAllText(full + ".state.json")
            .Replace("\"finished\": true", "\"finished\": false")
            .Replace($"\"rows\": 42", "\"rows\": 1")
            .Replace($"\"bytes\": {expected.Length}", $"\"bytes\": {checkpoint}");
        File.WriteAllText(cut + ".state.json", state);

        var (code, _, err) = Run("predict", "--model", _model, "--input", images, "--output", cut, "--resume");
        Assert.True(code == 0, err);
        Assert.Contains("resuming", err);
        Assert.Contains("17 rows already there", err);
        Assert.Contains("cut 25 bytes (an unfinished last line)", err);
        Assert.Equal(expected, File.ReadAllBytes(cut));
        Assert.True(ResultRows.State(cut).GetProperty("finished").GetBoolean());
        Assert.Equal(42, ResultRows.State(cut).GetProperty("rows").GetInt64());
    }

    [Fact]
    public void A_state_temporary_left_by_a_killed_run_is_gone_when_the_job_finishes()
    {
        string images = Images(5, bad: false), output = _dir.File("r.jsonl");
        Assert.Equal(0, Run("predict", "--model", _model, "--input", images, "--output", output).Code);
        File.WriteAllText(output + ".state.json", File.ReadAllText(output + ".state.json").Replace("\"finished\": true", "\"finished\": false"));
        // What SIGKILL during a state write leaves: a fresh temporary nobody holds.
        string temp = _dir.File($".r.jsonl.state.json.{int.MaxValue}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temp, "{");
        var (code, _, err) = Run("predict", "--model", _model, "--input", images, "--output", output, "--resume");
        Assert.True(code == 0, err);
        Assert.False(File.Exists(temp));
    }

    [Fact]
    public void Resume_refuses_other_settings_another_input_and_results_it_did_not_write()
    {
        string images = Images(8, bad: false), output = _dir.File("r.jsonl");
        Assert.Equal(0, Run("predict", "--model", _model, "--input", images, "--output", output).Code);
        File.WriteAllText(output + ".state.json", File.ReadAllText(output + ".state.json").Replace("\"finished\": true", "\"finished\": false"));

        var (code, _, err) = Run("predict", "--model", _model, "--input", images, "--output", output, "--resume", "--top", "2");
        Assert.Equal(CliErrors.Usage, code);
        Assert.Contains("was started with --top 3, this command has --top 2", err);

        (code, _, err) = Run("predict", "--model", _model, "--input", images, "--output", output, "--resume", "--shard", "0/2");
        Assert.Equal(CliErrors.Usage, code);
        Assert.Contains("--shard 0/1, this command has --shard 0/2", err);

        string otherModel = TestModels.WriteTemp(_dir, TestModels.Build(seed: 99), "other.onnx");
        (code, _, err) = Run("predict", "--model", otherModel, "--input", images, "--output", output, "--resume");
        Assert.Equal(CliErrors.Usage, code);
        Assert.Contains("was started with model ", err);

        // The same input spelled the same, but a file was renamed: the rows no longer match the input.
        File.Move(Path.Combine(images, "even", "002.png"), Path.Combine(images, "even", "002b.png"));
        (code, _, err) = Run("predict", "--model", _model, "--input", images, "--output", output, "--resume");
        Assert.Equal(CliErrors.Failure, code);
        Assert.Contains("the input changed since the job started", err);

        string foreign = _dir.File("foreign.jsonl");
        File.WriteAllText(foreign, "{\"path\":\"x\"}\n");
        (code, _, err) = Run("predict", "--model", _model, "--input", images, "--output", foreign, "--resume");
        Assert.Equal(CliErrors.Failure, code);
        Assert.Contains("is not a batch job's results", err);
        Assert.Equal("{\"path\":\"x\"}\n", File.ReadAllText(foreign));
    }

    [Fact]
    public void Shards_split_a_list_into_disjoint_shares_that_cover_it()
    {
        string images = Images(40, bad: false);
        string list = _dir.File("list.txt");
        File.WriteAllLines(list, new Cli.Batch.FolderInputSource(images).Enumerate().Select(i => Path.GetRelativePath(_dir.Path, i.Path)));
        var all = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            string output = _dir.File($"shard-{i}.jsonl");
            var (code, _, err) = Run("predict", "--model", _model, "--input", list, "--output", output, "--shard", $"{i}/3");
            Assert.True(code == 0, err);
            var paths = ResultRows.Read(output).Select(ResultRows.Path).ToArray();
            Assert.All(paths, p => Assert.True(new Cli.Batch.Shard(i, 3).Contains(p)));
            Assert.NotEmpty(paths);
            all.AddRange(paths);
        }
        Assert.Equal(File.ReadAllLines(list).Order(), all.Order());
    }

    [Fact]
    public void Read_writes_text_confidence_and_per_character_alternatives()
    {
        string model = TestModels.WriteTemp(_dir, TestLineModels.Build(), "lines.onnx");
        string folder = _dir.File("lines");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "a.png"), TestLineModels.Png("123"));
        File.WriteAllBytes(Path.Combine(folder, "b.png"), TestLineModels.Png("3 11"));
        File.WriteAllText(Path.Combine(folder, "c.png"), "broken");
        string output = _dir.File("lines.jsonl");
        var (code, _, err) = Run("read", "--model", model, "--input", folder, "--output", output, "--top", "2");
        Assert.True(code == 0, err);
        var rows = ResultRows.Read(output);
        Assert.Equal(["a.png", "b.png", "c.png"], rows.Select(r => Path.GetFileName(ResultRows.Path(r))));
        Assert.Equal("123", rows[0].GetProperty("text").GetString());
        Assert.Equal("311", rows[1].GetProperty("text").GetString());
        Assert.InRange(rows[0].GetProperty("confidence").GetDouble(), 0.9, 1);
        var alternatives = rows[0].GetProperty("alternatives");
        Assert.Equal(3, alternatives.GetArrayLength());
        Assert.Equal("1", alternatives[0][0].GetProperty("character").GetString());
        Assert.Equal(2, alternatives[0].GetArrayLength());
        Assert.Contains("c.png", rows[2].GetProperty("error").GetString());
        Assert.Equal("beam 10", ResultRows.State(output).GetProperty("settings").GetProperty("decoding").GetString());
    }

    [Theory]
    [InlineData("--output", "o.jsonl")]
    [InlineData("--resume", "a.png")]
    [InlineData("--input", "IMAGES")]
    [InlineData("--input", "IMAGES", "--output", "o.jsonl", "a.png")]
    [InlineData("--input", "IMAGES", "--output", "o.jsonl", "--json")]
    [InlineData("--input", "IMAGES", "--output", "o.jsonl", "--shard", "3/3")]
    [InlineData("--input", "IMAGES", "--output", "o.jsonl", "--workers", "0")]
    [InlineData("--input", "IMAGES", "--output", "o.jsonl", "--checkpoint-seconds", "0")]
    [InlineData("--input", "IMAGES", "--output", "OUT")]
    [InlineData("--input", "IMAGES", "--output", "o.jsonl", "--device", "tpu")]
    public void Bad_batch_arguments_are_one_line_usage_errors(params string[] args)
    {
        string images = Images(1, bad: false);
        string[] resolved = args.Select(a => a switch { "IMAGES" => images, "OUT" => _dir.Path, "o.jsonl" => _dir.File("o.jsonl"), _ => a }).ToArray();
        foreach (string command in new[] { "predict", "read" })
        {
            string model = command == "predict" ? _model : TestModels.WriteTemp(_dir, TestLineModels.Build(), "lines.onnx");
            var (code, _, err) = Run([command, "--model", model, .. resolved]);
            Assert.True(code == CliErrors.Usage, $"{command} {string.Join(' ', args)}: exit {code}: {err}");
            var errors = err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("crnn: error: ")).ToArray();
            Assert.Single(errors);
            Assert.False(File.Exists(_dir.File("o.jsonl")));
        }
    }

    [Fact]
    public void A_missing_input_is_an_error_naming_it()
    {
        var (code, _, err) = Run("predict", "--model", _model, "--input", _dir.File("nowhere"), "--output", _dir.File("o.jsonl"));
        Assert.Equal(CliErrors.Failure, code);
        Assert.Contains("nowhere: no such folder or file", err);
    }
}
