using Crnn.MLNet.Model;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Tests;

/// <summary>
/// <see cref="CrnnSessionOptions.Device"/>. These machines have ONNX Runtime's CPU package only, so CUDA is tested for
/// what it does without its provider: fall back to the CPU with one line, or refuse when the device is required.
/// (On a machine with the GPU package and a GPU the same requests run on CUDA; nothing here needs one.)
/// </summary>
public class DeviceTests
{
    [Theory]
    [InlineData("cpu", CrnnDeviceKind.Cpu, 0)]
    [InlineData("CUDA", CrnnDeviceKind.Cuda, 0)]
    [InlineData(" cuda:3 ", CrnnDeviceKind.Cuda, 3)]
    public void Devices_parse_and_print_back(string text, CrnnDeviceKind kind, int id)
    {
        Assert.True(CrnnDevice.TryParse(text, out var device));
        Assert.Equal(new CrnnDevice(kind, id), device);
        Assert.True(CrnnDevice.TryParse(device.ToString(), out var again));
        Assert.Equal(device, again);
    }

    [Theory]
    [InlineData("")]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData(null)]
    public void Other_device_names_do_not_parse(string? text) => Assert.False(CrnnDevice.TryParse(text, out _));

    [Fact]
    public void The_default_is_the_cpu_and_says_nothing()
    {
        var lines = new List<string>();
        using var model = CrnnOnnxModel.FromBytes(TestModels.Build(), "tiny.onnx", new CrnnSessionOptions { DeviceFallback = lines.Add });
        Assert.Equal(CrnnDevice.Cpu, model.Device);
        Assert.Empty(lines);
    }

    [Fact]
    public void Cuda_without_its_provider_falls_back_to_the_cpu_with_one_line()
    {
        Assert.NotNull(OnnxModelLoading.CudaUnavailableReason()); // the CPU package: what this test is about
        var lines = new List<string>();
        var options = new CrnnSessionOptions { Device = CrnnDevice.Cuda(1), DeviceFallback = lines.Add };
        using var model = CrnnOnnxModel.FromBytes(TestModels.Build(), "tiny.onnx", options);
        Assert.Equal(CrnnDevice.Cpu, model.Device);
        string line = Assert.Single(lines);
        Assert.StartsWith("tiny.onnx: CUDA device 1 requested, but this ONNX Runtime has no CUDA provider", line);
        Assert.Contains("CPUExecutionProvider", line);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", line);
        Assert.EndsWith("; running on the CPU.", line);
        Assert.DoesNotContain('\n', line);

        // ... and it still scores, on the CPU, like a CPU model.
        using var cpu = CrnnOnnxModel.FromBytes(TestModels.Build(), "tiny.onnx");
        var x = new float[model.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = (i % 17) / 17f;
        float[] a = new float[model.ClassCount], b = new float[model.ClassCount];
        model.Run(x, 1, a);
        cpu.Run(x, 1, b);
        Assert.Equal(b, a);
    }

    [Fact]
    public void Line_models_and_recognisers_fall_back_the_same_way()
    {
        var lines = new List<string>();
        var session = new CrnnSessionOptions { Device = CrnnDevice.Cuda(), DeviceFallback = lines.Add };
        using var line = CrnnLineOnnxModel.FromBytes(TestLineModels.Build(), "lines.onnx", session);
        Assert.Equal(CrnnDevice.Cpu, line.Device);
        using var dir = new TempDir();
        using var recognizer = CrnnRecognizer.Open(TestModels.WriteTemp(dir, TestModels.Build()), new CrnnRecognizerOptions { Session = session });
        Assert.Equal(CrnnDevice.Cpu, recognizer.Model.Device);
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("lines.onnx: CUDA device 0 requested", lines[0]);
    }

    [Fact]
    public void A_required_cuda_device_is_an_error_naming_the_model_and_the_reason()
    {
        var options = new CrnnSessionOptions { Device = CrnnDevice.Cuda(), RequireDevice = true, DeviceFallback = _ => Assert.Fail("no fallback when required") };
        var e = Assert.Throws<NotSupportedException>(() => CrnnOnnxModel.FromBytes(TestModels.Build(), "tiny.onnx", options));
        Assert.StartsWith("tiny.onnx: CUDA device 0 requested, but this ONNX Runtime has no CUDA provider", e.Message);
        Assert.Throws<NotSupportedException>(() => CrnnLineOnnxModel.FromBytes(TestLineModels.Build(), "lines.onnx", options));
    }

    [Fact]
    public void A_bad_model_gets_its_own_error_not_a_device_fallback()
    {
        var lines = new List<string>();
        var options = new CrnnSessionOptions { Device = CrnnDevice.Cuda(), DeviceFallback = lines.Add };
        Assert.Throws<InvalidDataException>(() => CrnnOnnxModel.FromBytes([1, 2, 3, 4], "junk.onnx", options));
        Assert.Empty(lines);
    }
}
