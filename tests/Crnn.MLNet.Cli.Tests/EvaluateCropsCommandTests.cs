using System.Text.Json;
using Crnn.MLNet.Cli;

namespace Crnn.MLNet.Cli.Tests;

public class EvaluateCropsCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CrnnCli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [RealDataFact]
    public void Clean_up_helps_on_real_looking_crops_and_costs_nothing_on_clean_ones()
    {
        string model = ShippedModelTests.RepoFile("models", "mnist-crnn.onnx");
        double Accuracy(string clutter, string cleanup)
        {
            var (code, output, err) = Run("evaluate-crops", "--model", model, "--dataset", "mnist", "--clutter", clutter, "--cleanup", cleanup, "--limit", "1500", "--json");
            Assert.True(code == 0, err);
            var json = JsonDocument.Parse(output).RootElement;
            Assert.Equal(1500, json.GetProperty("count").GetInt32());
            Assert.Equal(clutter, json.GetProperty("clutter").GetString());
            return json.GetProperty("accuracy").GetDouble();
        }
        // Measured on these 1,500 (seed 1, 2026-12-02): with the classifier trained on such crops (--real-crops 0.15)
        // real 98.93% without, 99.27% with; clean 99.47% both. (The one before: real 97.13% without, 98.80% with.) A model
        // that has seen such crops needs the clean-up less, but it must still help, and the floor rises with the model.
        double without = Accuracy("real", "none"), with = Accuracy("real", "default");
        Assert.True(with > without, $"clean-up on real-looking crops: {with:P2} vs {without:P2} without");
        Assert.True(with >= 0.99, $"real-looking crops with the clean-up: {with:P2}, below the 99% floor");
        double cleanWithout = Accuracy("clean", "none"), cleanWith = Accuracy("clean", "default");
        Assert.True(cleanWith >= cleanWithout - 0.001, $"clean-up on clean crops: {cleanWith:P2} vs {cleanWithout:P2} without");
        Assert.True(cleanWith > 0.99, $"clean crops: {cleanWith:P2}");
    }

    [Fact]
    public void An_unknown_cleanup_is_named()
    {
        var (code, _, err) = Run("evaluate-crops", "--dataset", "mnist", "--cleanup", "most");
        Assert.NotEqual(0, code);
        Assert.Contains("--cleanup must be default, none, flatten, central or all, got 'most'", err);
        var (code2, _, err2) = Run("predict", "--cleanup", "sometimes", "x.png");
        Assert.NotEqual(0, code2);
        Assert.Contains("--cleanup must be default, none, flatten, central or all, got 'sometimes'", err2);
    }
}
