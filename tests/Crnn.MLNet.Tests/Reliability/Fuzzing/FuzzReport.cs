using System.Globalization;

namespace Crnn.MLNet.Tests.Reliability.Fuzzing;

/// <summary>The outcome of one fuzz run: executions, how many inputs were accepted or cleanly rejected, and the findings.</summary>
internal sealed record FuzzReport(string Target, int Seed, long Executions, long Accepted, long Rejected, IReadOnlyList<string> Findings, TimeSpan Elapsed)
{
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"{DateTime.UtcNow:yyyy-MM-dd HH:mm}Z {Target}: seed {Seed}, {Executions:N0} executions in {Elapsed.TotalSeconds:F0} s, {Accepted:N0} accepted, {Rejected:N0} rejected cleanly, {Findings.Count} findings");

    /// <summary>Appends the summary (and each finding) to the report file when one is configured.</summary>
    public void Write(FuzzSettings settings, Action<string>? log)
    {
        log?.Invoke(Summary);
        foreach (var f in Findings.Take(20)) log?.Invoke("  " + f);
        if (settings.ReportFile is null) return;
        lock (typeof(FuzzReport))
            File.AppendAllLines(settings.ReportFile, [Summary, .. Findings.Take(20).Select(f => "  " + f)]);
    }
}
