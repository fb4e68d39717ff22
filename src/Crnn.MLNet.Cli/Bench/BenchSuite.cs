namespace Crnn.MLNet.Cli.Bench;

/// <summary>One <c>crnn bench</c> run: the machine and its peak, measured once, a report per model, and optionally
/// stock ML.NET's LightGBM on the same pixels as a reference point.</summary>
internal sealed record BenchSuite(MachineInfo Machine, MachinePeak.Result Peak, DateTimeOffset Date, IReadOnlyList<BenchReport> Models,
    LightGbmBench.Result? LightGbm, double Seconds);
