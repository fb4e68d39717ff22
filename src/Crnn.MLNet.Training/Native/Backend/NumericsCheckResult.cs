namespace Crnn.MLNet.Training.Native.Backend;

/// <summary>One comparison of the backend check: what was compared, how far LibTorch was from the reference, the limit.</summary>
public sealed record NumericsCheckItem(string Name, double Error, double Tolerance, string? Failure = null)
{
    /// <summary>Within the tolerance, and no exception.</summary>
    public bool Passed => Failure is null && Error <= Tolerance;

    public override string ToString() =>
        Failure is not null ? $"{Name}: {Failure}" : $"{Name} off by {Error:0.0e+0}";
}

/// <summary>What the backend check found: every comparison, and how long it took.</summary>
public sealed record NumericsCheckResult(IReadOnlyList<NumericsCheckItem> Items, TimeSpan Elapsed)
{
    public bool Passed => Items.Count > 0 && Items.All(i => i.Passed);

    /// <summary>The comparisons that failed.</summary>
    public IEnumerable<NumericsCheckItem> Failures => Items.Where(i => !i.Passed);

    /// <summary>The largest error relative to its tolerance (below 1 means passed with that margin).</summary>
    public double WorstRatio => Items.Count == 0 ? double.NaN : Items.Max(i => i.Failure is null ? i.Error / i.Tolerance : double.PositiveInfinity);

    /// <summary>One line: <c>passed (worst 0.3% of tolerance, 120 ms)</c> or <c>failed: LSTM inference off by 8.1e-1, ...</c>.</summary>
    public string Summary => Passed
        ? $"passed (largest error {WorstRatio:P1} of its tolerance; {Elapsed.TotalMilliseconds:F0} ms)"
        : $"failed: {string.Join(", ", Failures.Select(f => f.ToString()))}";
}
