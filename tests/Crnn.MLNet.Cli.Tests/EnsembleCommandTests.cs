using System.Text.Json;
using Crnn.MLNet.Model;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Cli.Tests;

/// <summary><c>crnn ensemble</c>: one ONNX model whose probabilities are the mean of its members'.</summary>
public sealed class EnsembleCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CrnnCli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void The_ensemble_gives_the_mean_of_its_members_probabilities()
    {
        string a = TestModels.WriteTemp(_dir, TestModels.Build(seed: 1), "a.onnx");
        string b = TestModels.WriteTemp(_dir, TestModels.Build(seed: 2), "b.onnx");
        string c = TestModels.WriteTemp(_dir, TestModels.Build(seed: 3), "c.onnx");
        string joined = _dir.File("abc.onnx");
        var (code, output, err) = Run("ensemble", "--model", a, "--model", b, "--model", c, "--out", joined);
        Assert.True(code == 0, err);
        Assert.Contains("mean of 3 models", output);

        string image = _dir.File("seven.png");
        TestImages.Save(TestImages.Text("7"), image);
        float[] Probabilities(string model)
        {
            using var recognizer = CrnnRecognizer.Open(model);
            return recognizer.Predict(image).Probabilities;
        }
        float[] pa = Probabilities(a), pb = Probabilities(b), pc = Probabilities(c), joint = Probabilities(joined);
        Assert.NotEqual(pa, pb);
        for (int k = 0; k < joint.Length; k++) Assert.Equal((pa[k] + pb[k] + pc[k]) / 3, joint[k], 5);

        using var model = CrnnOnnxModel.Load(joined);
        Assert.Equal(TestModels.Digits, model.Metadata.Labels);
        Assert.Equal(3, model.Metadata.Architecture!["ensemble"].GetInt32());
        Assert.Null(model.Metadata.Metrics);
    }

    [Fact]
    public void Members_with_their_own_normalisation_each_see_their_own_input()
    {
        // Runs on different splits end with slightly different pixel statistics; each member must still be fed as it
        // was trained, so the ensemble's probabilities are the mean of what each gives alone.
        string a = TestModels.WriteTemp(_dir, TestModels.Build(seed: 1), "a.onnx");
        string ownMetadata = (TestModels.Metadata() with { Normalization = new CrnnNormalization { Mean = 0.25, Std = 0.2 } }).ToJson();
        string b = TestModels.WriteTemp(_dir, TestModels.Build(seed: 2, metadataJson: ownMetadata), "b.onnx");
        string joined = _dir.File("ab.onnx");
        var (code, _, err) = Run("ensemble", "--model", a, "--model", b, "--out", joined);
        Assert.True(code == 0, err);

        string image = _dir.File("four.png");
        TestImages.Save(TestImages.Text("4"), image);
        float[] Probabilities(string model)
        {
            using var recognizer = CrnnRecognizer.Open(model);
            return recognizer.Predict(image).Probabilities;
        }
        float[] pa = Probabilities(a), pb = Probabilities(b), joint = Probabilities(joined);
        for (int k = 0; k < joint.Length; k++) Assert.Equal((pa[k] + pb[k]) / 2, joint[k], 5);
        using var model = CrnnOnnxModel.Load(joined);
        Assert.Equal(0.1307, model.Metadata.Normalization.Mean); // the first member's, for the shared input
    }

    [Fact]
    public void Members_that_disagree_or_are_not_classifiers_are_named()
    {
        string a = TestModels.WriteTemp(_dir, TestModels.Build(), "a.onnx");
        string letters = TestModels.WriteTemp(_dir, TestModels.Build(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]), "letters.onnx");
        string lines = TestModels.WriteTemp(_dir, TestLineModels.Build(), "lines.onnx");
        string outPath = _dir.File("out.onnx");

        var (code, _, err) = Run("ensemble", "--model", a, "--model", letters, "--out", outPath);
        Assert.NotEqual(0, code);
        Assert.Contains("letters.onnx: labels differs from", err);
        Assert.Contains("expected 0 1 2 3 4 5 6 7 8 9, got a b c d e f g h i j", err);

        (code, _, err) = Run("ensemble", "--model", a, "--model", lines, "--out", outPath);
        Assert.NotEqual(0, code);
        Assert.Contains("lines.onnx", err);

        (code, _, err) = Run("ensemble", "--model", a, "--out", outPath);
        Assert.NotEqual(0, code);
        Assert.Contains("at least two models", err);

        (code, _, err) = Run("ensemble", "--model", a, "--model", _dir.File("missing.onnx"), "--out", outPath);
        Assert.NotEqual(0, code);
        Assert.Contains("missing.onnx", err);
        Assert.False(File.Exists(outPath), "a failed ensemble must not leave a file");
    }
}
