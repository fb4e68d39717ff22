using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>Where a bench ran: CPU model, logical cores, OS, .NET and ONNX Runtime versions.</summary>
internal sealed record MachineInfo(string Cpu, int LogicalCores, string Os, string Runtime, string OnnxRuntime)
{
    public static MachineInfo Current() => new(
        CpuModel(),
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        OrtEnv.Instance().GetVersionString());

    private static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (string line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int i and > 0)
                        return line[(i + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
