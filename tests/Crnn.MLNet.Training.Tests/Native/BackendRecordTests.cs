using Crnn.MLNet.Training.Native.Backend;

namespace Crnn.MLNet.Training.Tests.Native;

public sealed class BackendRecordTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crnn-backend-record-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static BackendTrial Trial(string setting, bool passed, int minute) =>
        new(setting, passed, passed ? "passed" : "failed: inference forward off by 1.3e-1", new DateTimeOffset(2026, 12, 2, 8, minute, 0, TimeSpan.Zero));

    [Fact]
    public void Trials_round_trip_per_machine_and_the_newest_per_setting_wins()
    {
        var record = new BackendRecord(Path.Combine(_dir, "sub", "torch-backend.json"));
        Assert.Empty(record.Read("cpu-a"));
        Assert.True(record.TryAdd("cpu-a", "CPU A", Trial("default", false, 1)));
        Assert.True(record.TryAdd("cpu-a", "CPU A", Trial("ONEDNN_MAX_CPU_ISA=AVX2", true, 2)));
        Assert.True(record.TryAdd("cpu-b", "CPU B", Trial("default", true, 3)));
        Assert.True(record.TryAdd("cpu-a", "CPU A", Trial("default", true, 4)));   // re-checked later

        var a = new BackendRecord(record.Path).Read("cpu-a");
        Assert.Equal(2, a.Count);
        Assert.True(a["default"].Passed);
        Assert.Equal(4, a["default"].CheckedAt.Minute);
        Assert.True(a["ONEDNN_MAX_CPU_ISA=AVX2"].Passed);
        Assert.True(Assert.Single(record.Read("cpu-b")).Value.Passed);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(record.Path)!, "*.tmp"));
    }

    [Fact]
    public void A_corrupt_record_reads_as_empty_and_is_replaced_by_the_next_trial()
    {
        string path = Path.Combine(_dir, "torch-backend.json");
        File.WriteAllText(path, "{ \"machines\": { \"cpu-a\": [ this is not json");
        var record = new BackendRecord(path);
        Assert.Empty(record.Read("cpu-a"));
        Assert.True(record.TryAdd("cpu-a", "CPU A", Trial("default", true, 1)));
        Assert.True(record.Read("cpu-a")["default"].Passed);
    }

    [Fact]
    public void A_record_that_cannot_be_written_is_not_an_error()
    {
        // A path under a regular file cannot be created: the trial is not kept, the process goes on.
        string blocker = Path.Combine(_dir, "blocker");
        File.WriteAllText(blocker, "");
        var record = new BackendRecord(Path.Combine(blocker, "torch-backend.json"));
        Assert.False(record.TryAdd("cpu-a", "CPU A", Trial("default", true, 1)));
        Assert.Empty(record.Read("cpu-a"));
    }

    [Fact]
    public void Keys_separate_cpu_kinds_and_libtorch_builds()
    {
        var zen5 = CpuIdentity.Parse(CpuIdentityTests.Zen5);
        var xeon = CpuIdentity.Parse(CpuIdentityTests.Xeon);
        Assert.NotEqual(BackendRecord.Key(zen5, "LibTorch 2.10.0"), BackendRecord.Key(xeon, "LibTorch 2.10.0"));
        Assert.NotEqual(BackendRecord.Key(zen5, "LibTorch 2.10.0"), BackendRecord.Key(zen5, "LibTorch 2.11.0"));
        Assert.Equal(BackendRecord.Key(zen5, "LibTorch 2.10.0"), BackendRecord.Key(CpuIdentity.Parse(CpuIdentityTests.Zen5), "LibTorch 2.10.0"));
    }
}
