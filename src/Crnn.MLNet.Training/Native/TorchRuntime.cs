using System.Diagnostics;
using System.Reflection;
using System.Text;
using Crnn.MLNet.Training.Native.Backend;

namespace Crnn.MLNet.Training.Native;

/// <summary>
/// Makes TorchSharp's native library loadable, and checks that LibTorch computes correct numbers on this CPU
/// before anything trains with it.
/// </summary>
/// <remarks>
/// <para>TorchSharp 0.107.0's <c>libLibTorchSharp.so</c> asks libstdc++ for version GLIBCXX_3.4.32
/// (GCC 13) for a single iostream-initialisation marker it never calls. Older libstdc++
/// (Debian 12 has GLIBCXX_3.4.30) refuses to load it. Where, and only where, the system's
/// libstdc++ lacks that version, we mark the requirement weak in the copies TorchSharp will
/// load (build output and NuGet cache), atomically. Machines with a newer libstdc++ are
/// left untouched.</para>
/// <para>LibTorch's oneDNN kernels have computed wrong numbers on some CPUs (AMD Zen 5: LSTM inference and the input
/// gradient of convolutions whose channel count is not a multiple of 16). A short check (<see cref="NumericsSelfCheck"/>,
/// about 0.1 s once warm) compares a tiny CRNN's outputs and gradients with a managed float64 reference and, when
/// they disagree, restricts oneDNN (see <see cref="BackendSelection"/>). A user's own <c>ONEDNN_MAX_CPU_ISA</c> wins
/// (and is checked too). Call <see cref="EnsureInitialized"/> first thing in any process that trains, before any
/// convolution or LSTM runs.</para>
/// </remarks>
public static class TorchRuntime
{
    // The only requirement we know to be safe to weaken: see the remarks above.
    private static readonly HashSet<string> WeakenableVersions = ["GLIBCXX_3.4.32"];
    private const string NativeName = "libLibTorchSharp.so";
    private static readonly object Gate = new();
    private static bool _done;

    /// <summary>Paths that were patched by this process (for diagnostics and tests).</summary>
    public static IReadOnlyList<string> PatchedFiles { get; private set; } = [];

    /// <summary>The oneDNN setting this process runs with and the check that vouches for it (after <see cref="EnsureInitialized"/>).</summary>
    public static TorchBackendStatus? Backend { get; private set; }

    /// <summary>TorchSharp's version, and the LibTorch build it was compiled with, e.g. <c>TorchSharp 0.107.0, LibTorch 2.10.0</c>.</summary>
    public static string Versions
    {
        get
        {
            var asm = typeof(TorchRuntime).Assembly;
            string libTorch = asm.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "LibTorchVersion")?.Value ?? "unknown";
            var torchSharp = typeof(TorchSharp.torch).Assembly.GetName().Version;
            return $"TorchSharp {torchSharp?.ToString(3)}, LibTorch {libTorch}";
        }
    }

    /// <summary>
    /// Idempotent and thread-safe: patches the native library where needed, then runs the backend check and puts the
    /// fastest correct oneDNN setting in place (one line on stderr when it is not LibTorch's own).
    /// </summary>
    /// <exception cref="TorchBackendException">No oneDNN setting computes correct numbers on this CPU.</exception>
    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (_done) return;
            if (OperatingSystem.IsLinux())
            {
                string? stdcxx = FindLibStdCxx();
                var patched = new List<string>();
                foreach (string candidate in CandidateNativePaths())
                    if (PatchIfNeeded(candidate, stdcxx)) patched.Add(candidate);
                PatchedFiles = patched;
            }
            Backend = SelectBackend(new BackendRecord(BackendRecord.DefaultPath));
            if (Backend.Message is { } message) Console.Error.WriteLine(message);
            _done = true;
        }
    }

    private static TorchBackendStatus SelectBackend(BackendRecord record)
    {
        var cpu = CpuIdentity.Current;
        string key = BackendRecord.Key(cpu, Versions);
        return BackendSelection.Select(
            NativeEnvironment.Get("ONEDNN_MAX_CPU_ISA"), record.Read(key), cpu.ToString(),
            apply: ApplyOneDnn, check: () => NumericsSelfCheck.Run(), record: trial => record.TryAdd(key, cpu.ToString(), trial),
            now: () => DateTimeOffset.UtcNow, limitStillPossible: !IsLibTorchLoaded());
    }

    /// <summary>
    /// Whether LibTorch is already mapped into this process, i.e. TorchSharp was used before <see cref="EnsureInitialized"/>
    /// (oneDNN may then have fixed its instruction set). Read from /proc/self/maps on Linux; false elsewhere.
    /// </summary>
    internal static bool IsLibTorchLoaded()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return File.ReadLines("/proc/self/maps").Any(l => l.Contains("libtorch_cpu.so", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void ApplyOneDnn(OneDnnSetting setting)
    {
        switch (setting.Mode)
        {
            case OneDnnMode.MaxIsa:
                // oneDNN reads this once, at its first kernel: it must reach native getenv before that.
                if (NativeEnvironment.Get("ONEDNN_MAX_CPU_ISA") != setting.Isa) NativeEnvironment.Set("ONEDNN_MAX_CPU_ISA", setting.Isa!);
                break;
            case OneDnnMode.Disabled:
                AtenContext.MkldnnEnabled = false;
                break;
        }
    }

    /// <summary>
    /// Marks the GLIBCXX requirements of <paramref name="libraryPath"/> that the given libstdc++
    /// lacks as weak. Returns true when the file was rewritten.
    /// </summary>
    internal static bool PatchIfNeeded(string libraryPath, string? libStdCxxPath)
    {
        if (!File.Exists(libraryPath)) return false;
        byte[] bytes = File.ReadAllBytes(libraryPath);
        var missing = ElfVersionNeeds.Read(bytes, libraryPath)
            .Where(r => r.File.StartsWith("libstdc++", StringComparison.Ordinal) && !r.IsWeak)
            .Where(r => !LibraryDefinesVersion(libStdCxxPath, r.Version))
            .ToList();
        if (missing.Count == 0) return false;

        var unsafeToWeaken = missing.Where(r => !WeakenableVersions.Contains(r.Version)).Select(r => r.Version).ToList();
        if (unsafeToWeaken.Count > 0)
            throw new PlatformNotSupportedException(
                $"{libraryPath} needs libstdc++ versions this system lacks ({string.Join(", ", unsafeToWeaken)}); " +
                $"install a newer libstdc++ (GCC 13 or later). System libstdc++: {libStdCxxPath ?? "not found"}.");

        foreach (var r in missing) ElfVersionNeeds.MarkWeak(bytes, r);
        string temp = libraryPath + $".{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, libraryPath, overwrite: true);
        Trace.WriteLine($"Crnn.MLNet: marked {string.Join(", ", missing.Select(m => m.Version))} weak in {libraryPath}");
        return true;
    }

    /// <summary>Where TorchSharp may load its native library from: next to TorchSharp.dll, the RID folder, the NuGet cache.</summary>
    internal static IEnumerable<string> CandidateNativePaths()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var dirs = new List<string>();
        string? asmDir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
        foreach (string? baseDir in new[] { asmDir, AppContext.BaseDirectory })
        {
            if (string.IsNullOrEmpty(baseDir)) continue;
            dirs.Add(baseDir);
            dirs.Add(Path.Combine(baseDir, "runtimes", "linux-x64", "native"));
            // NuGet layout: torchsharp/<version>/lib/<tfm>/TorchSharp.dll -> torchsharp/<version>/runtimes/...
            dirs.Add(Path.GetFullPath(Path.Combine(baseDir, "..", "..", "runtimes", "linux-x64", "native")));
        }
        string version = typeof(TorchSharp.torch).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "";
        string nugetRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        dirs.Add(Path.Combine(nugetRoot, "torchsharp", version, "runtimes", "linux-x64", "native"));

        foreach (string dir in dirs)
        {
            string path = Path.Combine(dir, NativeName);
            if (seen.Add(path) && File.Exists(path)) yield return path;
        }
    }

    /// <summary>The libstdc++ this process uses (already mapped by the runtime), else the usual system locations.</summary>
    internal static string? FindLibStdCxx()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.Contains("libstdc++.so.6", StringComparison.Ordinal))
                    return line[slash..].Trim();
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        foreach (string dir in new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib" })
        {
            string path = Path.Combine(dir, "libstdc++.so.6");
            if (File.Exists(path)) return path;
        }
        return null;
    }

    // A version name such as GLIBCXX_3.4.32 appears NUL-terminated in the string table of the
    // library that defines it; that is enough to tell whether the library provides it.
    private static bool LibraryDefinesVersion(string? libraryPath, string version)
    {
        if (libraryPath is null || !File.Exists(libraryPath)) return false;
        byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
        return File.ReadAllBytes(libraryPath).AsSpan().IndexOf(needle) >= 0;
    }
}
