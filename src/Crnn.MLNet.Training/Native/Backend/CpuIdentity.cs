using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Crnn.MLNet.Training.Native.Backend;

/// <summary>
/// What CPU this process runs on, read from <c>/proc/cpuinfo</c> on Linux: enough to tell machines apart when a
/// numeric backend is right on one CPU and wrong on another (the project's machines change from day to day).
/// </summary>
public sealed record CpuIdentity(string Vendor, string ModelName, int? Family, int? Model, int? Stepping, IReadOnlyList<string> Flags)
{
    /// <summary>The vector extensions that decide which kernels oneDNN and ONNX Runtime pick, in a fixed order.</summary>
    public static readonly string[] VectorFlags =
    [
        "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni",
        "avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16",
        "avx512ifma", "avx512vbmi", "avx512_vbmi2", "avx512_bitalg", "avx512_vpopcntdq", "avx512_vp2intersect",
        "amx_tile", "amx_int8", "amx_bf16",
    ];

    private static readonly Lazy<CpuIdentity> CurrentLazy = new(() => Read());

    /// <summary>The CPU of this machine (read once).</summary>
    public static CpuIdentity Current => CurrentLazy.Value;

    /// <summary>The vector extensions this CPU has, among <see cref="VectorFlags"/>.</summary>
    public IReadOnlyList<string> VectorExtensions => VectorFlags.Where(f => Flags.Contains(f)).ToArray();

    /// <summary>Stable key of this CPU kind (vendor, family, model, stepping, name, vector extensions).</summary>
    public string Fingerprint
    {
        get
        {
            string text = $"{Vendor}|{Family}|{Model}|{Stepping}|{ModelName}|{string.Join(",", VectorExtensions)}";
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
        }
    }

    /// <summary>One line, e.g. <c>AMD EPYC (AuthenticAMD family 26 model 2 stepping 1)</c>.</summary>
    public override string ToString() =>
        Family is null ? ModelName : $"{ModelName} ({Vendor} family {Family} model {Model} stepping {Stepping})";

    /// <summary>Parses <c>/proc/cpuinfo</c> text (the first processor's block); falls back to the architecture name.</summary>
    public static CpuIdentity Parse(string cpuinfo)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in cpuinfo.Split('\n'))
        {
            if (line.Trim().Length == 0 && fields.Count > 0) break;   // end of the first processor's block
            int colon = line.IndexOf(':');
            if (colon <= 0) continue;
            fields.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
        }
        static int? Int(Dictionary<string, string> f, string key) => f.TryGetValue(key, out var v) && int.TryParse(v, out int i) ? i : null;
        string flags = fields.GetValueOrDefault("flags") ?? "";
        return new CpuIdentity(
            fields.GetValueOrDefault("vendor_id") ?? "unknown",
            fields.GetValueOrDefault("model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
            Int(fields, "cpu family"), Int(fields, "model"), Int(fields, "stepping"),
            flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray());
    }

    private static CpuIdentity Read()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo")) return Parse(File.ReadAllText("/proc/cpuinfo"));
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return new CpuIdentity("unknown", RuntimeInformation.ProcessArchitecture.ToString(), null, null, null, []);
    }
}
