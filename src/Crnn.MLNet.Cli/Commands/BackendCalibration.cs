using System.Diagnostics;
using System.Reflection;
using Crnn.MLNet.Training.Native;
using Crnn.MLNet.Training.Native.Backend;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// Lets every <c>crnn</c> process that trains start with the fastest oneDNN setting known to be correct on this
/// CPU, the first one included. An instruction-set limit can only be tried in a fresh process, so when the record
/// does not yet vouch for the setting a process would start with, <c>crnn</c> runs <c>crnn info</c> in a child
/// process first (once per CPU kind and LibTorch build: about 1 to 3 s), which checks LibTorch's own configuration
/// and, where that is wrong, tries the next setting in a grandchild. Library users get the in-process fallback of
/// <see cref="TorchRuntime.EnsureInitialized"/> instead.
/// </summary>
internal static class BackendCalibration
{
    /// <summary>Set in a child started to try one setting, so that it does not start children itself.</summary>
    public const string ChildMarker = "CRNN_BACKEND_CHILD";

    /// <summary>Calibrates if needed (see the class remarks), then initialises TorchSharp; a no-op the second time.</summary>
    public static void InitializeTorch(TextWriter error)
    {
        if (TorchRuntime.Backend is null && CanStartChildren && !IsUserChosen)
        {
            var record = new BackendRecord(BackendRecord.DefaultPath);
            string key = BackendRecord.Key(CpuIdentity.Current, TorchRuntime.Versions);
            var known = record.Read(key);
            var start = OneDnnSetting.FastestNotKnownWrong(known);
            if (!known.TryGetValue(start.Name, out var trial) || !trial.Passed)
            {
                error.WriteLine("crnn: checking LibTorch's numbers on this CPU once (crnn info)...");
                RunInfoChild(setting: null, marked: false);
            }
        }
        TorchRuntime.EnsureInitialized();
    }

    /// <summary>True when this process is the crnn command itself (not a test host calling it in-process) and not a child.</summary>
    public static bool CanStartChildren =>
        Assembly.GetEntryAssembly() == typeof(BackendCalibration).Assembly && Environment.GetEnvironmentVariable(ChildMarker) is null;

    private static bool IsUserChosen => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA"));

    /// <summary>
    /// Runs <c>crnn info</c> in a child process, with <paramref name="setting"/> in place when given; <paramref name="marked"/>
    /// keeps the child from starting children of its own. Returns whether it exited cleanly within two minutes.
    /// </summary>
    public static bool RunInfoChild(OneDnnSetting? setting, bool marked)
    {
        string? host = Environment.ProcessPath;
        if (host is null) return false;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Under `dotnet crnn.dll` the host is dotnet and the first argument the CLI's assembly.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(BackendCalibration).Assembly.Location);
        start.ArgumentList.Add("info");
        if (marked) start.Environment[ChildMarker] = "1";
        if (setting?.Mode == OneDnnMode.MaxIsa) start.Environment["ONEDNN_MAX_CPU_ISA"] = setting.Isa;
        try
        {
            using var child = Process.Start(start);
            if (child is null) return false;
            // Drain both pipes so the child never blocks on a full one.
            var stdout = child.StandardOutput.ReadToEndAsync();
            var stderr = child.StandardError.ReadToEndAsync();
            if (!child.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                child.Kill(entireProcessTree: true);
                return false;
            }
            Task.WaitAll(stdout, stderr);
            return child.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
