using System.Diagnostics;
using System.Text;

namespace Crnn.MLNet.Cli.Tests.Reliability;

/// <summary>The real <c>crnn</c> (the <c>crnn.dll</c> beside the tests) as a child process, its output collected.</summary>
internal sealed class CrnnChild : IDisposable
{
    private readonly StringBuilder _stdout = new(), _stderr = new();

    private CrnnChild(Process process) => Process = process;

    public Process Process { get; }

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Starts <c>crnn ARGS</c>; <paramref name="stdin"/> (when given) is written to its standard input, then closed.</summary>
    public static CrnnChild Start(IEnumerable<string> args, string? stdin = null)
    {
        string crnn = Path.Combine(AppContext.BaseDirectory, "crnn.dll");
        Assert.True(File.Exists(crnn), $"crnn.dll is not beside the tests ({AppContext.BaseDirectory})");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var psi = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false,
        };
        psi.ArgumentList.Add(crnn);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var child = new CrnnChild(Process.Start(psi)!);
        // Drain the pipes so the child never blocks on a full one.
        child.Process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (child._stdout) child._stdout.AppendLine(e.Data); };
        child.Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (child._stderr) child._stderr.AppendLine(e.Data); };
        child.Process.BeginOutputReadLine();
        child.Process.BeginErrorReadLine();
        if (stdin is not null)
        {
            child.Process.StandardInput.Write(stdin);
            child.Process.StandardInput.Close();
        }
        return child;
    }

    /// <summary>Waits for the end (at most <paramref name="limit"/>) and returns the exit code.</summary>
    public int WaitForExit(TimeSpan limit)
    {
        Assert.True(Process.WaitForExit(limit), $"crnn did not finish in {limit.TotalSeconds:F0} s");
        Process.WaitForExit(); // the output events are complete after this one
        return Process.ExitCode;
    }

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }
}
