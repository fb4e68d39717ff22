namespace Crnn.MLNet.Training.Native.Backend;

/// <summary>
/// Which oneDNN setting this process's LibTorch runs with, and why: the check result that vouches for it, the
/// settings tried before it, and the setting the next process will start with.
/// </summary>
public sealed record TorchBackendStatus(
    OneDnnSetting Setting,
    NumericsCheckResult Check,
    bool UserChosen,
    IReadOnlyList<(OneDnnSetting Setting, NumericsCheckResult Check)> FailedFirst,
    OneDnnSetting NextProcess,
    string Cpu)
{
    /// <summary>True when the setting in use is not what LibTorch would do on its own.</summary>
    public bool IsRestricted => Setting.Mode != OneDnnMode.Default;

    /// <summary>
    /// The one line to show a user, or null when LibTorch's own configuration was checked correct (nothing to say).
    /// </summary>
    public string? Message
    {
        get
        {
            if (FailedFirst.Count > 0)
            {
                var (failed, check) = FailedFirst[^1];
                string next = UserChosen ? "; unset ONEDNN_MAX_CPU_ISA to let the backend check choose"
                    : NextProcess == Setting ? "" : $"; the next process starts with {NextProcess.Name}";
                string whose = UserChosen && failed.Mode == OneDnnMode.MaxIsa ? $"your {failed.Name}" : failed.Name;
                return $"Crnn.MLNet: LibTorch's oneDNN ({whose}) computed wrong numbers on this CPU ({Cpu}): {check.Summary}; " +
                       $"this process runs with {Setting.Name} instead (checked correct, slower){next}.";
            }
            if (Setting.Mode == OneDnnMode.Default || UserChosen) return null;
            return $"Crnn.MLNet: LibTorch runs with {Setting.Name} on this CPU ({Cpu}): wider oneDNN kernels computed wrong numbers here " +
                   "(found by an earlier backend check; `crnn info` shows it); this setting was checked correct.";
        }
    }
}
