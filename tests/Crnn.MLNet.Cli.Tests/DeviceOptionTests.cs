using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Cli.Tests;

/// <summary>
/// <c>--device</c> on this CPU-only machine (ONNX Runtime's CPU package): CUDA falls back to the CPU with one warning
/// line and the same answers, <c>--require-device</c> makes that an error, and a device name that is not one is a usage error.
/// </summary>
public sealed class DeviceOptionTests : IDisposable
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

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private string Digit()
    {
        string path = _dir.File("d.png");
        using var bmp = TestImages.Text("7", 60, 80);
        TestImages.Save(bmp, path);
        return path;
    }

    [Fact]
    public void Cuda_falls_back_to_the_cpu_with_one_warning_and_the_same_answers()
    {
        string model = TestModels.WriteTemp(_dir, TestModels.Build()), image = Digit();
        var cpu = Run("predict", "--model", model, image);
        var cuda = Run("predict", "--model", model, "--device", "cuda", image);
        Assert.Equal(0, cuda.Code);
        Assert.Equal(cpu.Out, cuda.Out);
        string warning = Assert.Single(Lines(cuda.Err));
        Assert.StartsWith($"crnn: warning: {model}: CUDA device 0 requested, but this ONNX Runtime has no CUDA provider", warning);
        Assert.EndsWith("running on the CPU.", warning);

        string lines = TestModels.WriteTemp(_dir, TestLineModels.Build(), "lines.onnx");
        string line = _dir.File("l.png");
        File.WriteAllBytes(line, TestLineModels.Png("12"));
        var read = Run("read", "--model", lines, "--device", "cuda:2", line);
        Assert.Equal(0, read.Code);
        Assert.StartsWith($"{line}\t12\t", read.Out);
        Assert.StartsWith($"crnn: warning: {lines}: CUDA device 2 requested", Assert.Single(Lines(read.Err)));
    }

    [Fact]
    public void A_batch_job_that_fell_back_says_it_ran_on_the_cpu()
    {
        string model = TestModels.WriteTemp(_dir, TestModels.Build());
        Digit();
        string results = _dir.File("r.jsonl");
        var (code, _, err) = Run("predict", "--model", model, "--device", "cuda", "--input", _dir.Path, "--output", results);
        Assert.True(code == 0, err);
        Assert.Single(Lines(err), l => l.StartsWith("crnn: warning: "));
        Assert.Contains("on cpu.", err);
        Assert.Equal("cpu", Batch.ResultRows.State(results).GetProperty("device").GetString());
    }

    [Fact]
    public void A_required_device_that_is_missing_is_a_one_line_error()
    {
        string model = TestModels.WriteTemp(_dir, TestModels.Build()), image = Digit();
        var (code, output, err) = Run("predict", "--model", model, "--device", "cuda", "--require-device", image);
        Assert.Equal(CliErrors.Failure, code);
        Assert.Equal("", output);
        string line = Assert.Single(Lines(err));
        Assert.StartsWith($"crnn: error: {model}: CUDA device 0 requested, but this ONNX Runtime has no CUDA provider", line);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", line);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void An_unknown_device_is_a_usage_error(string device)
    {
        string model = TestModels.WriteTemp(_dir, TestModels.Build()), image = Digit();
        var (code, _, err) = Run("predict", "--model", model, "--device", device, image);
        Assert.Equal(CliErrors.Usage, code);
        Assert.StartsWith("crnn: error: --device must be cpu, cuda or cuda:N", Assert.Single(Lines(err)));
    }
}
