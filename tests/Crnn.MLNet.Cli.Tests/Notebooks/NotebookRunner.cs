using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Crnn.MLNet.Cli.Tests.Notebooks;

/// <summary>One failing cell of an executed notebook.</summary>
/// <param name="CodeCell">1-based index among the notebook's code cells.</param>
/// <param name="Message">The error text the kernel reported.</param>
internal sealed record NotebookError(int CodeCell, string Message);

/// <summary>What a headless notebook run produced.</summary>
internal sealed record NotebookRun(string Notebook, int ExitCode, bool TimedOut, TimeSpan Elapsed, string OutputPath,
    IReadOnlyList<NotebookError> Errors, int CodeCells, string Log)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut && Errors.Count == 0;

    /// <summary>A report for a failed assertion: exit code, each failing cell with its error, the runner's log tail.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{Path.GetFileName(Notebook)}: exit code {ExitCode}{(TimedOut ? " (timed out)" : "")} after {Elapsed.TotalSeconds:F0} s; executed copy: {OutputPath}");
        foreach (var e in Errors) sb.AppendLine($"  code cell {e.CodeCell}: {e.Message}");
        if (!Succeeded && Log.Length > 0) sb.AppendLine("runner log (end):").AppendLine(Log.Length > 4000 ? Log[^4000..] : Log);
        string? folder = Path.GetDirectoryName(OutputPath);
        if (!Succeeded && folder is not null && Directory.Exists(folder))
            foreach (string report in Directory.GetFiles(folder, Path.GetFileName(OutputPath) + ".*.crashreport.json"))
                sb.AppendLine($"crash report: {report}");
        return sb.ToString();
    }
}

/// <summary>
/// Runs .NET Interactive notebooks headless with dotnet-repl, the local tool of the repository's
/// <c>.config/dotnet-tools.json</c> (restored by <c>dotnet tool restore</c>). dotnet-repl executes every cell, writes the
/// executed notebook, and exits with a non-zero code when a cell fails to compile or throws; the executed notebook's
/// <c>error</c> outputs name the failing cells.
/// </summary>
internal static class NotebookRunner
{
    /// <summary>The repository root: the nearest folder above the test assembly holding Crnn.MLNet.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string NotebooksFolder => Path.Combine(RepoRoot, "notebooks");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Crnn.MLNet.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no Crnn.MLNet.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// Executes <paramref name="notebookPath"/> with the kernel's working directory set to
    /// <paramref name="workingDirectory"/> (the notebooks find the repository by walking up from there) and writes the
    /// executed copy to <paramref name="outputPath"/>.
    /// </summary>
    public static NotebookRun Run(string notebookPath, string workingDirectory, string outputPath,
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
        File.Delete(outputPath);
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "tool", "run", "dotnet-repl", "--run", notebookPath, "--exit-after-run",
                     "--output-path", outputPath, "--output-format", "ipynb" })
            psi.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        // dotnet-repl targets an older runtime than the SDK's; the manifest allows roll-forward, this covers older SDKs.
        psi.Environment["DOTNET_ROLL_FORWARD"] = "Major";
        // A native crash (seen once: exit 139 in 03 while training) leaves a mini dump and a JSON crash report with the
        // native and managed stacks beside the executed copy, instead of nothing.
        psi.Environment["DOTNET_DbgEnableMiniDump"] = "1";
        psi.Environment["DOTNET_DbgMiniDumpType"] = "1";
        psi.Environment["DOTNET_EnableCrashReport"] = "1";
        psi.Environment["DOTNET_DbgMiniDumpName"] = outputPath + ".%p.dmp";

        var log = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool timedOut = !process.WaitForExit(timeout);
        if (timedOut)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        else
        {
            process.WaitForExit(); // drains the redirected streams
        }
        clock.Stop();

        var (errors, codeCells) = File.Exists(outputPath) ? ReadErrors(outputPath) : ([], 0);
        string text;
        lock (log) text = log.ToString();
        return new NotebookRun(notebookPath, timedOut ? -1 : process.ExitCode, timedOut, clock.Elapsed, outputPath, errors, codeCells, text);
    }

    /// <summary>The <c>error</c> outputs of an executed notebook, by code cell, and the number of code cells.</summary>
    public static (IReadOnlyList<NotebookError> Errors, int CodeCells) ReadErrors(string executedNotebook)
    {
        var errors = new List<NotebookError>();
        int codeCell = 0;
        foreach (var cell in CodeCells(JsonNode.Parse(File.ReadAllText(executedNotebook))!))
        {
            codeCell++;
            foreach (var output in cell["outputs"]?.AsArray() ?? [])
                if ((string?)output?["output_type"] == "error")
                    errors.Add(new NotebookError(codeCell, $"{(string?)output["ename"]}: {(string?)output["evalue"]}"));
        }
        return (errors, codeCell);
    }

    /// <summary>The code cells of a notebook, in order.</summary>
    public static IEnumerable<JsonNode> CodeCells(JsonNode notebook) =>
        (notebook["cells"]?.AsArray() ?? []).OfType<JsonNode>().Where(c => (string?)c["cell_type"] == "code");

    /// <summary>Runs a command to completion; throws with its output when it fails.</summary>
    public static string Exec(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args) psi.ArgumentList.Add(arg);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(" ", args)} did not finish within {timeout}");
        }
        process.WaitForExit();
        string output = stdout.Result + stderr.Result;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(" ", args)} failed with exit code {process.ExitCode}:\n{output}");
        return output;
    }
}
