namespace Crnn.MLNet.Cli.Bench;

/// <summary>One <c>crnn bench</c> run: the machine and its peak, measured once, and a report per model.</summary>
internal sealed record BenchSuite(MachineInfo Machine, MachinePeak.Result Peak, DateTimeOffset Date, IReadOnlyList<BenchReport> Models, double Seconds);
