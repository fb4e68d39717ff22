namespace Crnn.MLNet.Tests.Reliability.Fuzzing;

/// <summary>
/// How long a fuzz run goes on. CI uses the small fixed defaults (deterministic: fixed seed, fixed count); a longer run
/// sets <c>CRNN_FUZZ_ITERATIONS</c> (executions per target), <c>CRNN_FUZZ_SECONDS</c> (time budget per target, wins
/// over the count), <c>CRNN_FUZZ_SEED</c>, <c>CRNN_FUZZ_REPORT</c> (a file the summaries are appended to) and
/// <c>CRNN_FUZZ_FINDINGS</c> (a folder each failing input is written to).
/// </summary>
internal sealed record FuzzSettings(int Iterations, double? Seconds, int Seed, string? ReportFile, string? FindingsDir)
{
    public const int DefaultSeed = 20261129;

    public static FuzzSettings FromEnvironment(int ciIterations)
    {
        static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
        int iterations = int.TryParse(Env("CRNN_FUZZ_ITERATIONS"), out int i) && i > 0 ? i : ciIterations;
        double? seconds = double.TryParse(Env("CRNN_FUZZ_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0 ? s : null;
        int seed = int.TryParse(Env("CRNN_FUZZ_SEED"), out int x) ? x : DefaultSeed;
        return new FuzzSettings(iterations, seconds, seed, Env("CRNN_FUZZ_REPORT"), Env("CRNN_FUZZ_FINDINGS"));
    }
}
