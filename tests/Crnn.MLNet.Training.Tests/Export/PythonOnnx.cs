using System.Diagnostics;

namespace Crnn.MLNet.Training.Tests.Export;

/// <summary>
/// The reference ONNX checker from Debian's <c>python3-onnx</c>, run with the system interpreter
/// (another python may come first on PATH). An independent check of our exporter's output.
/// </summary>
public static class PythonOnnx
{
    public const string Interpreter = "/usr/bin/python3";

    private static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(Interpreter)) return $"{Interpreter} does not exist; install python3-onnx to run the ONNX checker test";
        var (code, _, err) = Run("import onnx");
        return code == 0 ? null : $"{Interpreter} cannot import onnx (install Debian's python3-onnx): {err.Trim()}";
    });

    /// <summary>Why the checker cannot run, or <c>null</c>.</summary>
    public static string? MissingReason() => Missing.Value;

    /// <summary>Runs <c>onnx.checker.check_model(onnx.load(path), full_check=True)</c>; returns exit code and output.</summary>
    public static (int ExitCode, string Output, string Error) CheckModel(string path) =>
        Run("import sys, onnx\n" +
            "m = onnx.load(sys.argv[1])\n" +
            "onnx.checker.check_model(m, full_check=True)\n" +
            "print('onnx', onnx.__version__, 'ok')\n", path);

    public static (int ExitCode, string Output, string Error) Run(string script, params string[] args)
    {
        var info = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        foreach (string a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            return (-1, stdout.Result, "timed out");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A fact skipped, saying why, when <c>/usr/bin/python3 -c "import onnx"</c> fails.</summary>
public sealed class PythonOnnxFactAttribute : FactAttribute
{
    public PythonOnnxFactAttribute()
    {
        if (PythonOnnx.MissingReason() is { } reason) Skip = reason;
    }
}

/// <summary>The theory counterpart of <see cref="PythonOnnxFactAttribute"/>.</summary>
public sealed class PythonOnnxTheoryAttribute : TheoryAttribute
{
    public PythonOnnxTheoryAttribute()
    {
        if (PythonOnnx.MissingReason() is { } reason) Skip = reason;
    }
}
