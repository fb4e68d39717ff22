using Crnn.MLNet.Training.Native.Backend;

namespace Crnn.MLNet.Training.Tests.Native;

public class CpuIdentityTests
{
    // First lines of /proc/cpuinfo on two of the project's machine kinds (flags shortened to the relevant ones).
    internal const string Zen5 = """
        processor	: 0
        vendor_id	: AuthenticAMD
        cpu family	: 26
        model		: 2
        model name	: AMD EPYC
        stepping	: 1
        flags		: fpu sse4_1 sse4_2 avx avx2 fma avx512f avx512dq avx512bw avx512vl avx512_vnni avx512_bf16 avx512_vp2intersect

        processor	: 1
        vendor_id	: SomethingElse
        """;

    internal const string Xeon = """
        processor	: 0
        vendor_id	: GenuineIntel
        cpu family	: 6
        model		: 143
        model name	: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
        stepping	: 8
        flags		: fpu sse4_1 sse4_2 avx avx2 fma avx512f avx512dq avx512bw avx512vl avx512_vnni avx512_bf16 amx_tile amx_int8 amx_bf16
        """;

    [Fact]
    public void Parses_the_first_processor_block()
    {
        var cpu = CpuIdentity.Parse(Zen5);
        Assert.Equal("AuthenticAMD", cpu.Vendor);
        Assert.Equal("AMD EPYC", cpu.ModelName);
        Assert.Equal((26, 2, 1), (cpu.Family, cpu.Model, cpu.Stepping));
        Assert.Contains("avx512_vp2intersect", cpu.VectorExtensions);
        Assert.DoesNotContain("fpu", cpu.VectorExtensions);
        Assert.Equal("AMD EPYC (AuthenticAMD family 26 model 2 stepping 1)", cpu.ToString());
    }

    [Fact]
    public void Fingerprints_differ_between_cpu_kinds_and_ignore_flag_order()
    {
        var a = CpuIdentity.Parse(Zen5);
        var reordered = CpuIdentity.Parse(Zen5.Replace("avx512f avx512dq", "avx512dq avx512f"));
        Assert.Equal(a.Fingerprint, reordered.Fingerprint);
        Assert.NotEqual(a.Fingerprint, CpuIdentity.Parse(Xeon).Fingerprint);
        Assert.Matches("^[0-9a-f]{16}$", a.Fingerprint);
    }

    [Fact]
    public void Missing_fields_do_not_throw()
    {
        var cpu = CpuIdentity.Parse("");
        Assert.Equal("unknown", cpu.Vendor);
        Assert.Null(cpu.Family);
        Assert.Empty(cpu.VectorExtensions);
    }

    [Fact]
    public void This_machine_is_read()
    {
        var cpu = CpuIdentity.Current;
        Assert.False(string.IsNullOrWhiteSpace(cpu.ModelName));
        if (OperatingSystem.IsLinux()) Assert.NotNull(cpu.Family);
    }
}
