using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace Crnn.MLNet.Cli.Tests;

public sealed class InfoCommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CrnnCli.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Text_output_names_the_machine_and_the_backends()
    {
        var (exit, text, error) = Run("info");
        output.WriteLine(text);
        Assert.True(exit == 0, error);
        foreach (string label in new[] { "CPU:", "Vector ISA:", "Cores:", "OS:", ".NET:", "ONNX Runtime:", "LibTorch:", "oneDNN:", "Check:", "Next process:", "Record:", "Data cache:" })
            Assert.Contains(label, text);
        Assert.Contains($"Cores:        {Environment.ProcessorCount}", text);
        Assert.Contains("CPUExecutionProvider", text);
        Assert.Matches(@"Check:\s+passed \(largest error", text);
    }

    [Fact]
    public void Json_output_has_every_field_and_the_check_that_vouches_for_the_setting()
    {
        var (exit, text, error) = Run("info", "--json");
        Assert.True(exit == 0, error);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        Assert.Equal(Environment.ProcessorCount, root.GetProperty("cores").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("cpu").GetProperty("model").GetString()));
        Assert.Matches("^[0-9a-f]{16}$", root.GetProperty("cpu").GetProperty("fingerprint").GetString()!);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("cpu").GetProperty("vectorExtensions").ValueKind);
        Assert.Contains("CPUExecutionProvider", root.GetProperty("onnxRuntime").GetProperty("providers").EnumerateArray().Select(p => p.GetString()));
        Assert.Matches(@"^TorchSharp \d+\.\d+\.\d+, LibTorch \d+\.\d+\.\d+$", root.GetProperty("libTorch").GetString()!);
        var oneDnn = root.GetProperty("oneDnn");
        Assert.NotNull(Crnn.MLNet.Training.Native.Backend.OneDnnSetting.FromName(oneDnn.GetProperty("setting").GetString()));
        var check = oneDnn.GetProperty("check");
        Assert.True(check.GetProperty("passed").GetBoolean());
        Assert.Equal(9, check.GetProperty("items").GetArrayLength());
        Assert.All(check.GetProperty("items").EnumerateArray(), i => Assert.True(i.GetProperty("error").GetDouble() <= i.GetProperty("tolerance").GetDouble()));
        Assert.Contains(oneDnn.GetProperty("known").EnumerateArray(), t => t.GetProperty("setting").GetString() == oneDnn.GetProperty("setting").GetString() && t.GetProperty("passed").GetBoolean());
        Assert.True(root.GetProperty("folders").TryGetProperty("datasetCache", out _));
    }

    [Fact]
    public void A_fresh_machine_is_calibrated_by_crnn_info_and_later_processes_start_with_the_recorded_setting()
    {
        // A new, empty record: `crnn info` checks LibTorch's own configuration and, where it is wrong here, tries the
        // next setting in a child process; the process after it starts from the record without a fallback.
        var first = RunCrnn(["info", "--json"]);
        using var firstDoc = JsonDocument.Parse(first.Out);
        var known = firstDoc.RootElement.GetProperty("oneDnn").GetProperty("known").EnumerateArray()
            .ToDictionary(t => t.GetProperty("setting").GetString()!, t => t.GetProperty("passed").GetBoolean());
        output.WriteLine(string.Join(", ", known.Select(k => $"{k.Key}={k.Value}")));
        Assert.True(known.ContainsKey("default"), "LibTorch's own configuration was not checked");
        if (!known["default"]) Assert.True(known.ContainsKey("ONEDNN_MAX_CPU_ISA=AVX2"), "LibTorch's own configuration was wrong, and the next setting was not tried");

        var second = RunCrnn(["info", "--json"]);
        using var secondDoc = JsonDocument.Parse(second.Out);
        var oneDnn = secondDoc.RootElement.GetProperty("oneDnn");
        Assert.Equal(0, oneDnn.GetProperty("failedInThisProcess").GetArrayLength());
        Assert.True(oneDnn.GetProperty("check").GetProperty("passed").GetBoolean());
        Assert.Equal(oneDnn.GetProperty("nextProcess").GetString(), oneDnn.GetProperty("setting").GetString());
        Assert.Equal(0, oneDnn.GetProperty("triedInChild").GetArrayLength());
    }

    private (string Out, string Err) RunCrnn(string[] args)
    {
        string crnn = Path.Combine(AppContext.BaseDirectory, "crnn.dll");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var psi = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(crnn);
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["XDG_CACHE_HOME"] = _temp.Path;        // a record of its own
        psi.Environment.Remove("ONEDNN_MAX_CPU_ISA");          // the check chooses, not the caller
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "crnn info did not finish in 3 minutes");
        process.WaitForExit();
        output.WriteLine(stderr.Result);
        Assert.True(process.ExitCode == 0, $"crnn {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Result}");
        return (stdout.Result, stderr.Result);
    }
}
