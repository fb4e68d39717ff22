using System.Text.Json;
using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Cli.Tests;

public class LineCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CrnnCli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static string Line(TempDir dir, string name, string glyphs)
    {
        string path = dir.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, TestLineModels.Png(glyphs));
        return path;
    }

    [Fact]
    public void Read_prints_file_text_and_confidence_per_image()
    {
        using var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestLineModels.Build(), "lines.onnx");
        string a = Line(dir, "a.png", "123"), b = Line(dir, "b.png", "3 11");
        var (code, output, err) = Run("read", "--model", model, a, b);
        Assert.Equal(0, code);
        Assert.Equal("", err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var fields = lines[0].Split('\t');
        Assert.Equal([a, "123"], fields[..2]);
        Assert.Matches(@"^0\.9\d{3}$", fields[2]);
        Assert.StartsWith($"{b}\t311\t", lines[1]);
    }

    [Fact]
    public void Read_json_has_steps_and_alternatives_and_errors_inline()
    {
        using var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestLineModels.Build(), "lines.onnx");
        string a = Line(dir, "a.png", "21");
        var (code, output, err) = Run("read", "--model", model, "--json", "--top", "2", a, dir.File("missing.png"));
        Assert.Equal(1, code);
        Assert.Contains("missing.png", err);
        using var doc = JsonDocument.Parse(output);
        var first = doc.RootElement[0];
        Assert.Equal("21", first.GetProperty("text").GetString());
        var c = first.GetProperty("characters")[0];
        Assert.Equal("2", c.GetProperty("character").GetString());
        Assert.Equal(1, c.GetProperty("firstStep").GetInt32());
        Assert.Equal(2, c.GetProperty("lastStep").GetInt32());
        Assert.Equal(2, c.GetProperty("alternatives").GetArrayLength());
        Assert.Contains("missing.png", doc.RootElement[1].GetProperty("error").GetString());
    }

    [Fact]
    public void Read_follows_alphabet_and_pattern()
    {
        using var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestLineModels.Build(), "lines.onnx");
        string a = Line(dir, "a.png", "1231");
        Assert.StartsWith($"{a}\t121\t", Run("read", "--model", model, "--alphabet", "12", a).Out);
        Assert.StartsWith($"{a}\t123\t", Run("read", "--model", model, "--pattern", "12+3?", a).Out);
        Assert.StartsWith($"{a}\t\t0.0000", Run("read", "--model", model, "--pattern", @"\d{30}", a).Out);
    }

    [Fact]
    public void Read_refuses_bad_options_and_classifier_models_clearly()
    {
        using var dir = new TempDir();
        string lines = TestModels.WriteTemp(dir, TestLineModels.Build(), "lines.onnx");
        string classifier = TestModels.WriteTemp(dir, TestModels.Build(), "digit.onnx");
        string a = Line(dir, "a.png", "1");

        var (code, _, err) = Run("read", "--model", classifier, a);
        Assert.Equal(1, code);
        Assert.Contains("this is a character classifier (task 'classification'), not a line model", err);
        Assert.Contains("'crnn predict'", err);

        (code, _, err) = Run("read", "--model", lines, "--greedy", "--pattern", @"\d+", a);
        Assert.Equal(2, code);
        Assert.Contains("--pattern needs beam search", err);

        (code, _, err) = Run("read", "--model", lines, "--alphabet", "1x", a);
        Assert.Equal(2, code);
        Assert.Contains("alphabet: 'x' (U+0078) at position 1 is not among the model's labels (1 2 3)", err);

        (code, _, err) = Run("read", "--model", lines, "--pattern", @"(a)\1", a);
        Assert.Equal(2, code);
        Assert.Contains("a back-reference", err);

        (code, _, err) = Run("read", "--model", lines, "--greedy", "--beam", "5", a);
        Assert.Equal(2, code);
        Assert.Contains("--greedy and --beam cannot be used together", err);

        // Without --model, read uses the shipped digit line model (found above the test assembly).
        (code, var output, err) = Run("read", a);
        Assert.True(code == 0, err);
        Assert.StartsWith(a + "\t", output);

        (code, _, err) = Run("read", "--model", dir.File("nope.onnx"), a);
        Assert.Equal(1, code);
        Assert.Contains("nope.onnx: cannot read the model", err);
    }

    [Fact]
    public void Predict_given_a_line_model_says_to_use_read()
    {
        using var dir = new TempDir();
        string lines = TestModels.WriteTemp(dir, TestLineModels.Build(), "lines.onnx");
        var (code, _, err) = Run("predict", "--model", lines, Line(dir, "a.png", "1"));
        Assert.Equal(1, code);
        Assert.Contains("this is a line (CTC) model", err);
        Assert.Contains("'crnn read'", err);
    }

    private static (TempDir Dir, string Model) TestSet()
    {
        var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestLineModels.Build(), "lines.onnx");
        // Images and references; the last two references are deliberately not what is drawn.
        (string Glyphs, string Truth)[] set = [("1", "1"), ("12", "12"), ("123", "123"), ("321", "321"), ("13", "12"), ("1", "11")];
        var tsv = new System.Text.StringBuilder();
        for (int i = 0; i < set.Length; i++)
        {
            Line(dir, $"set/img/{i}.png", set[i].Glyphs);
            tsv.Append($"img/{i}.png\t{set[i].Truth}\n");
        }
        File.WriteAllText(dir.File("set/labels.tsv"), tsv.ToString());
        return (dir, model);
    }

    [Fact]
    public void Evaluate_lines_json_has_the_figures_overall_and_by_length()
    {
        var (dir, model) = TestSet();
        using (dir)
        {
            var (code, output, err) = Run("evaluate-lines", "--model", model, "--lines", dir.File("set"), "--json");
            Assert.Equal(0, code);
            Assert.Contains("Reading 6 lines", err);
            using var doc = JsonDocument.Parse(output);
            var root = doc.RootElement;
            Assert.Equal(6, root.GetProperty("lines").GetInt32());
            // 13 reference characters, 2 edits (13 for 12, 1 for 11); 4 of 6 lines exact.
            Assert.Equal(Math.Round(2.0 / 13, 6), root.GetProperty("characterErrorRate").GetDouble());
            Assert.Equal(Math.Round(4.0 / 6, 6), root.GetProperty("sequenceAccuracy").GetDouble());
            var byLength = root.GetProperty("byLength").EnumerateArray().ToArray();
            Assert.Equal([1, 2, 3], byLength.Select(b => b.GetProperty("length").GetInt32()));
            Assert.Equal([1, 3, 2], byLength.Select(b => b.GetProperty("lines").GetInt32()));
            Assert.Equal(Math.Round(1.0 / 3, 6), byLength[1].GetProperty("sequenceAccuracy").GetDouble());
            Assert.Equal(1.0, byLength[2].GetProperty("sequenceAccuracy").GetDouble());
        }
    }

    [Fact]
    public void Evaluate_lines_prints_a_table()
    {
        var (dir, model) = TestSet();
        using (dir)
        {
            var (code, output, _) = Run("evaluate-lines", "--model", model, "--lines", dir.File("set"), "--greedy");
            Assert.Equal(0, code);
            Assert.Contains("lines                 6", output);
            Assert.Contains("character error rate  0.1538 (15.38%)", output);
            Assert.Contains("sequence accuracy     0.6667 (66.67%)", output);
            Assert.Contains("length  lines  characters  edits     CER  sequence accuracy", output);
        }
    }

    [Fact]
    public void Evaluate_lines_names_the_bad_line()
    {
        var (dir, model) = TestSet();
        using (dir)
        {
            string tsv = dir.File("set/labels.tsv");
            File.AppendAllText(tsv, "img/0.png 1\n");
            var (code, _, err) = Run("evaluate-lines", "--model", model, "--lines", dir.File("set"));
            Assert.Equal(1, code);
            Assert.Contains("labels.tsv, line 7: expected 'relative/path.png<TAB>text', got 'img/0.png 1'", err);

            File.WriteAllText(tsv, "img/0.png\t1\nimg/missing.png\t2\n");
            (code, _, err) = Run("evaluate-lines", "--model", model, "--lines", dir.File("set"));
            Assert.Equal(1, code);
            Assert.Contains("labels.tsv, line 2: ", err);
            Assert.Contains("missing.png", err);

            (code, _, err) = Run("evaluate-lines", "--model", model, "--lines", dir.File("nowhere"));
            Assert.Equal(1, code);
            Assert.Contains("nowhere: folder not found", err);

            Directory.CreateDirectory(dir.File("empty"));
            (code, _, err) = Run("evaluate-lines", "--model", model, "--lines", dir.File("empty"));
            Assert.Equal(1, code);
            Assert.Contains("labels.tsv: not found (write a test set with 'crnn make-lines')", err);
        }
    }
}
