using Crnn.MLNet.Training.Native.Backend;

namespace Crnn.MLNet.Training.Tests.Native;

/// <summary>
/// The backend check's decisions with a simulated backend: which settings are "wrong" is chosen by the test, the
/// check and the effects are recorded instead of touching LibTorch.
/// </summary>
public class BackendSelectionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A fake machine: <paramref name="wrong"/> lists the settings whose numbers are wrong.</summary>
    private sealed class SimulatedBackend(params string[] wrong)
    {
        public OneDnnSetting Current { get; private set; } = OneDnnSetting.Default;
        public List<string> Applied { get; } = [];
        public List<BackendTrial> Recorded { get; } = [];

        public void Apply(OneDnnSetting s)
        {
            Applied.Add(s.Name);
            Current = s;
        }

        public NumericsCheckResult Check() => new(
            [new NumericsCheckItem("inference forward", wrong.Contains(Current.Name) ? 0.13 : 1e-7, NumericsSelfCheck.ForwardTolerance)],
            TimeSpan.FromMilliseconds(50));

        public TorchBackendStatus Select(string? userIsa = null, IReadOnlyDictionary<string, BackendTrial>? known = null,
            bool limitStillPossible = true) =>
            BackendSelection.Select(userIsa, known ?? new Dictionary<string, BackendTrial>(), "Test CPU", Apply, Check, Recorded.Add, () => Now,
                limitStillPossible);
    }

    private static Dictionary<string, BackendTrial> Known(params (string Setting, bool Passed)[] trials) =>
        trials.ToDictionary(t => t.Setting, t => new BackendTrial(t.Setting, t.Passed, "earlier", Now.AddDays(-1)));

    [Fact]
    public void A_correct_default_is_kept_and_nothing_is_said()
    {
        var machine = new SimulatedBackend();
        var status = machine.Select();
        Assert.Equal(OneDnnSetting.Default, status.Setting);
        Assert.Equal(["default"], machine.Applied);
        Assert.Null(status.Message);
        Assert.False(status.IsRestricted);
        Assert.Equal(OneDnnSetting.Default, status.NextProcess);
        Assert.True(Assert.Single(machine.Recorded).Passed);
    }

    [Fact]
    public void A_wrong_default_falls_back_to_onednn_off_in_process_and_points_the_next_process_at_avx2()
    {
        var machine = new SimulatedBackend("default");
        var status = machine.Select();
        Assert.Equal(OneDnnSetting.Disabled, status.Setting);
        Assert.Equal(["default", "oneDNN off"], machine.Applied);
        Assert.Equal(OneDnnSetting.Avx2, status.NextProcess);
        Assert.Equal("default", Assert.Single(status.FailedFirst).Setting.Name);
        Assert.Equal([false, true], machine.Recorded.Select(t => t.Passed));
        Assert.Contains("default", status.Message);
        Assert.Contains("inference forward off by 1.3e-1", status.Message);
        Assert.Contains("next process starts with ONEDNN_MAX_CPU_ISA=AVX2", status.Message);
        Assert.DoesNotContain('\n', status.Message!);
    }

    [Fact]
    public void A_recorded_failure_makes_the_next_process_start_with_the_instruction_set_limit()
    {
        var machine = new SimulatedBackend("default");
        var status = machine.Select(known: Known(("default", false)));
        Assert.Equal(OneDnnSetting.Avx2, status.Setting);
        Assert.Equal(["ONEDNN_MAX_CPU_ISA=AVX2"], machine.Applied);
        Assert.Empty(status.FailedFirst);
        Assert.Equal(OneDnnSetting.Avx2, status.NextProcess);
        Assert.Contains("runs with ONEDNN_MAX_CPU_ISA=AVX2", status.Message);
    }

    [Fact]
    public void A_recorded_setting_that_is_now_wrong_is_not_trusted()
    {
        // The record says AVX2 passed, but today's check disagrees: fall back and record the new failure.
        var machine = new SimulatedBackend("default", "ONEDNN_MAX_CPU_ISA=AVX2");
        var status = machine.Select(known: Known(("default", false), ("ONEDNN_MAX_CPU_ISA=AVX2", true)));
        Assert.Equal(OneDnnSetting.Disabled, status.Setting);
        Assert.Equal(["ONEDNN_MAX_CPU_ISA=AVX2", "oneDNN off"], machine.Applied);
        Assert.Equal(OneDnnSetting.Disabled, status.NextProcess);
        Assert.False(machine.Recorded[0].Passed);
    }

    [Fact]
    public void After_libtorch_was_used_no_limit_is_tried_or_blamed()
    {
        // oneDNN has fixed its instruction set already: "trying" AVX2 would run the default's kernels and record
        // the default's failure under AVX2's name (seen in a test host whose first test used TorchSharp directly).
        var machine = new SimulatedBackend("default");
        var status = machine.Select(known: Known(("default", false), ("ONEDNN_MAX_CPU_ISA=AVX2", true)), limitStillPossible: false);
        Assert.Equal(OneDnnSetting.Disabled, status.Setting);
        Assert.Equal(["oneDNN off"], machine.Applied);
        Assert.DoesNotContain(machine.Recorded, t => t.Setting.StartsWith("ONEDNN_MAX_CPU_ISA", StringComparison.Ordinal));
        Assert.Equal(OneDnnSetting.Avx2, status.NextProcess);

        var fresh = new SimulatedBackend("default");
        var first = fresh.Select(limitStillPossible: false);
        Assert.Equal(["default", "oneDNN off"], fresh.Applied);
        Assert.Equal(OneDnnSetting.Avx2, first.NextProcess);
    }

    [Fact]
    public void When_every_limit_is_known_wrong_onednn_starts_off()
    {
        var machine = new SimulatedBackend("default", "ONEDNN_MAX_CPU_ISA=AVX2");
        var status = machine.Select(known: Known(("default", false), ("ONEDNN_MAX_CPU_ISA=AVX2", false)));
        Assert.Equal(OneDnnSetting.Disabled, status.Setting);
        Assert.Equal(["oneDNN off"], machine.Applied);
    }

    [Fact]
    public void The_users_own_limit_wins_and_is_checked_too()
    {
        var good = new SimulatedBackend("default");
        var status = good.Select(userIsa: "avx512_core", known: Known(("default", true)));
        Assert.True(status.UserChosen);
        Assert.Equal("ONEDNN_MAX_CPU_ISA=AVX512_CORE", status.Setting.Name);
        Assert.Null(status.Message);

        var bad = new SimulatedBackend("ONEDNN_MAX_CPU_ISA=AVX512_CORE");
        var fallen = bad.Select(userIsa: "AVX512_CORE");
        Assert.Equal(OneDnnSetting.Disabled, fallen.Setting);
        Assert.Contains("your ONEDNN_MAX_CPU_ISA=AVX512_CORE", fallen.Message);
        Assert.Contains("unset ONEDNN_MAX_CPU_ISA", fallen.Message);
    }

    [Fact]
    public void No_correct_setting_is_a_clear_error()
    {
        var machine = new SimulatedBackend("default", "oneDNN off");
        var e = Assert.Throws<TorchBackendException>(() => machine.Select());
        Assert.Contains("Test CPU", e.Message);
        Assert.Contains("default: failed", e.Message);
        Assert.Contains("oneDNN off: failed", e.Message);
        Assert.Equal(2, machine.Recorded.Count);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("oneDNN off")]
    [InlineData("ONEDNN_MAX_CPU_ISA=AVX2")]
    [InlineData("ONEDNN_MAX_CPU_ISA=AVX512_CORE_AMX")]
    public void Setting_names_round_trip(string name) => Assert.Equal(name, OneDnnSetting.FromName(name)!.Name);

    [Fact]
    public void Unknown_setting_names_are_null()
    {
        Assert.Null(OneDnnSetting.FromName("ONEDNN_MAX_CPU_ISA="));
        Assert.Null(OneDnnSetting.FromName("fast"));
        Assert.Null(OneDnnSetting.FromName(null));
    }
}
