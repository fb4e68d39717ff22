using System.CommandLine;
using Crnn.MLNet.Model;

namespace Crnn.MLNet.Cli.Commands;

/// <summary><c>--device cpu|cuda|cuda:N</c> and <c>--require-device</c>, shared by <c>predict</c> and <c>read</c>.</summary>
internal sealed class DeviceOptions
{
    public Option<string> Device { get; } = new("--device")
    {
        Description = "Where ONNX Runtime runs the model: cpu, cuda (the first GPU) or cuda:N. CUDA needs the ONNX Runtime GPU package, " +
                      "CUDA and a GPU; without them the model runs on the CPU and one warning line says why.",
        DefaultValueFactory = _ => "cpu",
    };

    public Option<bool> RequireDevice { get; } = new("--require-device") { Description = "Fail instead of falling back to the CPU when --device cannot be used." };

    public IEnumerable<Option> All => [Device, RequireDevice];

    /// <summary>Session options for the command line; fallbacks are one <c>crnn: warning:</c> line on <paramref name="stderr"/>.</summary>
    public CrnnSessionOptions Read(ParseResult parse, TextWriter stderr, int? intraOpThreads = null)
    {
        string text = parse.GetValue(Device) ?? "cpu";
        if (!CrnnDevice.TryParse(text, out var device))
            throw new CliUsageException($"--device must be cpu, cuda or cuda:N (N = the GPU's device id), got '{text}'.");
        return new CrnnSessionOptions
        {
            Device = device,
            RequireDevice = parse.GetValue(RequireDevice),
            DeviceFallback = line => stderr.WriteLine($"crnn: warning: {line}"),
            IntraOpThreads = intraOpThreads,
        };
    }
}
