namespace Crnn.MLNet.Training.Native.Backend;

/// <summary>
/// The backend check's decisions, free of side effects so they can be tested with a simulated wrong backend:
/// which oneDNN setting a process starts with, and what it falls back to when the check fails.
/// </summary>
/// <remarks>
/// An instruction-set limit (<c>ONEDNN_MAX_CPU_ISA</c>) is read by oneDNN once, before its first kernel, so a
/// process can only try one; switching oneDNN off works at any time. Hence: start with the fastest setting not
/// known to be wrong on this CPU (or the user's own), check it, and if it is wrong, switch oneDNN off for the rest
/// of this process and remember the failure, so the next process starts with the next setting of the ladder.
/// </remarks>
internal static class BackendSelection
{
    /// <summary>
    /// The setting to put in place before LibTorch's first kernel; <c>UserChosen</c> when the user set <c>ONEDNN_MAX_CPU_ISA</c>.
    /// <paramref name="limitStillPossible"/> is false when LibTorch was loaded (and may have run kernels) before the
    /// check: oneDNN has then fixed its instruction set already, so only its default or switching it off remain,
    /// and trying a limit would record the default's numbers under the limit's name.
    /// </summary>
    public static (OneDnnSetting Setting, bool UserChosen) Start(string? userIsa, IReadOnlyDictionary<string, BackendTrial> known,
        bool limitStillPossible = true)
    {
        if (!string.IsNullOrWhiteSpace(userIsa)) return (new OneDnnSetting(OneDnnMode.MaxIsa, userIsa.Trim().ToUpperInvariant()), true);
        if (!limitStillPossible)
            return (known.TryGetValue(OneDnnSetting.Default.Name, out var d) && !d.Passed ? OneDnnSetting.Disabled : OneDnnSetting.Default, false);
        return (OneDnnSetting.FastestNotKnownWrong(known), false);
    }

    /// <summary>
    /// Starts with <see cref="Start"/>'s setting, checks it, and falls back to oneDNN off when it is wrong.
    /// <paramref name="apply"/> puts a setting in place (before the first kernel for an instruction-set limit),
    /// <paramref name="check"/> runs the numerics check under the current setting, <paramref name="record"/> remembers a trial;
    /// <paramref name="limitStillPossible"/> as in <see cref="Start"/>.
    /// </summary>
    /// <exception cref="TorchBackendException">No setting tried computes correct numbers.</exception>
    public static TorchBackendStatus Select(string? userIsa, IReadOnlyDictionary<string, BackendTrial> known, string cpu,
        Action<OneDnnSetting> apply, Func<NumericsCheckResult> check, Action<BackendTrial> record, Func<DateTimeOffset> now,
        bool limitStillPossible = true)
    {
        var trials = new Dictionary<string, BackendTrial>(known, StringComparer.Ordinal);
        var failed = new List<(OneDnnSetting, NumericsCheckResult)>();
        var (setting, userChosen) = Start(userIsa, known, limitStillPossible);
        while (true)
        {
            apply(setting);
            var result = check();
            var trial = new BackendTrial(setting.Name, result.Passed, result.Summary, now());
            trials[setting.Name] = trial;
            record(trial);
            if (result.Passed)
                return new TorchBackendStatus(setting, result, userChosen, failed, Start(userChosen ? userIsa : null, trials).Setting, cpu);
            failed.Add((setting, result));
            if (setting.Mode == OneDnnMode.Disabled)
                throw new TorchBackendException(
                    $"LibTorch computes wrong numbers on this CPU ({cpu}) with every oneDNN setting tried: " +
                    string.Join("; ", failed.Select(f => $"{f.Item1.Name}: {f.Item2.Summary}")) +
                    ". Training here would give garbage; please report this CPU and the output of `crnn info`.");
            setting = OneDnnSetting.Disabled;   // the only change still possible in this process
        }
    }
}
