namespace Crnn.MLNet.Training.Native.Backend;

/// <summary>How LibTorch may use oneDNN (its fast CPU kernels for convolutions and LSTMs).</summary>
public enum OneDnnMode
{
    /// <summary>oneDNN as LibTorch ships it: the widest instruction set the CPU has.</summary>
    Default,
    /// <summary>oneDNN limited to an instruction set (<c>ONEDNN_MAX_CPU_ISA</c>, read once, before its first kernel).</summary>
    MaxIsa,
    /// <summary>oneDNN not used at all (PyTorch's <c>torch.backends.mkldnn.enabled = False</c>): ATen's own kernels.</summary>
    Disabled,
}

/// <summary>One oneDNN configuration the backend check can try, from fastest to safest.</summary>
public sealed record OneDnnSetting(OneDnnMode Mode, string? Isa = null)
{
    public static readonly OneDnnSetting Default = new(OneDnnMode.Default);
    public static readonly OneDnnSetting Avx2 = new(OneDnnMode.MaxIsa, "AVX2");
    public static readonly OneDnnSetting Disabled = new(OneDnnMode.Disabled);

    /// <summary>
    /// The configurations tried when nothing is known about a CPU, fastest first. AVX-512 sub-levels are not tried
    /// one by one: for float32 training they run the same <c>avx512_core</c> kernels (measured on AMD Zen 5: the
    /// default, AVX512_CORE, AVX512_CORE_VNNI and AVX512_CORE_BF16 were all wrong, AVX2 right).
    /// </summary>
    public static readonly IReadOnlyList<OneDnnSetting> Ladder = [Default, Avx2, Disabled];

    /// <summary>
    /// The fastest setting of the <see cref="Ladder"/> not known to be wrong on this CPU (untried or passed), given the
    /// trials recorded so far; oneDNN off when every one is known wrong.
    /// </summary>
    public static OneDnnSetting FastestNotKnownWrong(IReadOnlyDictionary<string, BackendTrial> known) =>
        Ladder.FirstOrDefault(s => !known.TryGetValue(s.Name, out var t) || t.Passed) ?? Disabled;

    /// <summary>Whether the setting has to be in place before oneDNN runs its first kernel (so before the process's first check).</summary>
    public bool NeedsFreshProcess => Mode == OneDnnMode.MaxIsa;

    /// <summary>Name used in messages and the cache, e.g. <c>default</c>, <c>ONEDNN_MAX_CPU_ISA=AVX2</c>, <c>oneDNN off</c>.</summary>
    public string Name => Mode switch
    {
        OneDnnMode.Default => "default",
        OneDnnMode.MaxIsa => $"ONEDNN_MAX_CPU_ISA={Isa}",
        _ => "oneDNN off",
    };

    /// <summary>The inverse of <see cref="Name"/>; null for anything else.</summary>
    public static OneDnnSetting? FromName(string? name) => name switch
    {
        "default" => Default,
        "oneDNN off" => Disabled,
        not null when name.StartsWith("ONEDNN_MAX_CPU_ISA=", StringComparison.Ordinal) && name.Length > "ONEDNN_MAX_CPU_ISA=".Length
            => new OneDnnSetting(OneDnnMode.MaxIsa, name["ONEDNN_MAX_CPU_ISA=".Length..]),
        _ => null,
    };

    public override string ToString() => Name;
}
