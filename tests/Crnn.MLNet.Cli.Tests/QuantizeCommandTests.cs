using System.Text.Json;
using Crnn.MLNet.Model;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Cli.Tests;

/// <summary><c>crnn quantize</c>: an int8 model a user can score with at once, and usage errors that name the option.</summary>
public sealed class QuantizeCommandTests : IDisposable
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

    private static string ShippedModel()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Crnn.MLNet.sln"))) return Path.Combine(dir.FullName, "models", "mnist-crnn.onnx");
        throw new DirectoryNotFoundException("no Crnn.MLNet.sln above the tests");
    }

    [RealDataFact("mnist")]
    public void The_int8_model_is_written_reported_and_reads_a_digit()
    {
        string int8 = _dir.File("mnist-int8.onnx");
        var (code, output, err) = Run("quantize", "--model", ShippedModel(), "--dataset", "mnist", "--out", int8,
            "--calibration-images", "200", "--validation-images", "300", "--method", "minmax", "percentile", "--recurrent", "dynamic", "--json");
        Assert.True(code == 0, err);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(2, json.GetProperty("candidates").GetArrayLength());
        Assert.Equal(300, json.GetProperty("validationImages").GetInt32());
        Assert.True(json.GetProperty("quantizedBytes").GetInt64() * 3 < json.GetProperty("floatBytes").GetInt64());
        string chosen = json.GetProperty("chosen").GetString()!;
        Assert.Contains(chosen, new[] { "minmax + dynamic LSTM", "percentile + dynamic LSTM" });
        foreach (var c in json.GetProperty("candidates").EnumerateArray())
            Assert.InRange(c.GetProperty("accuracy").GetDouble(), 0.97, 1.0);

        using (var model = CrnnOnnxModel.Load(int8))
            Assert.Equal(chosen.Split(" + ")[0], model.Metadata.Quantization!["calibration"].GetString());
        string image = _dir.File("seven.png");
        TestImages.Save(TestImages.Text("7"), image);
        using var recognizer = CrnnRecognizer.Open(int8);
        Assert.Equal("7", recognizer.Predict(image).Label);
    }

    [Theory]
    [InlineData("--weight-bits", "6", "--weight-bits")]
    [InlineData("--calibration-images", "0", "--calibration-images")]
    [InlineData("--val-fraction", "1.5", "--val-fraction")]
    public void Out_of_range_options_are_named(string option, string value, string named)
    {
        var (code, _, err) = Run("quantize", "--model", ShippedModel(), "--dataset", "mnist", "--out", _dir.File("x.onnx"), option, value);
        Assert.NotEqual(0, code);
        Assert.Contains(named, err);
        Assert.False(File.Exists(_dir.File("x.onnx")));
    }
}
