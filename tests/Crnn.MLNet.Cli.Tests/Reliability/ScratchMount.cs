using Crnn.MLNet.Tests.Support;
using System.Diagnostics;

namespace Crnn.MLNet.Cli.Tests.Reliability;

/// <summary>
/// A small tmpfs mounted for a test (full disk: a tiny size; read-only: <c>ro</c>), unmounted on dispose. Needs Linux
/// and the right to mount; <see cref="TryMount"/> returns null elsewhere and the test falls back or skips.
/// </summary>
internal sealed class ScratchMount : IDisposable
{
    private ScratchMount(string path) => Path = path;

    public string Path { get; }

    public static ScratchMount? TryMount(string options)
    {
        if (!OperatingSystem.IsLinux()) return null;
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "crnn-mount-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        if (Exec("mount", "-t", "tmpfs", "-o", options, "tmpfs", path) == 0) return new ScratchMount(path);
        Directory.Delete(path);
        return null;
    }

    /// <summary>A folder the current user cannot write to: a read-only mount, or (not root) a folder without write permission.</summary>
    public static (string Path, IDisposable Cleanup)? ReadOnlyFolder()
    {
        if (ScratchMount.TryMount("ro,size=64k") is { } mount) return (mount.Path, mount);
        if (OperatingSystem.IsWindows()) return null;
        if (Environment.UserName == "root") return null; // root writes anywhere
        var dir = new TempDir();
        File.SetUnixFileMode(dir.Path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return (dir.Path, new Restore(dir));
    }

    private sealed class Restore(TempDir dir) : IDisposable
    {
        public void Dispose()
        {
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(dir.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            dir.Dispose();
        }
    }

    private static int Exec(string file, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            p.WaitForExit(10_000);
            return p.HasExited ? p.ExitCode : -1;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    public void Dispose()
    {
        Exec("umount", Path);
        try { Directory.Delete(Path); } catch (IOException) { }
    }
}

/// <summary>
/// A fact that needs a scratch tmpfs (<see cref="ScratchMount.TryMount"/>), or with <c>ReadOnlyFallback</c> any folder
/// the user cannot write to; skipped with the reason when this machine cannot provide one (no mount rights).
/// </summary>
internal sealed class ScratchMountFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> CanMount = new(() =>
    {
        using var probe = ScratchMount.TryMount("size=64k");
        return probe is not null;
    });

    public ScratchMountFactAttribute(bool readOnlyFallback = false)
    {
        bool fallback = readOnlyFallback && !OperatingSystem.IsWindows() && Environment.UserName != "root";
        if (!CanMount.Value && !fallback)
            Skip = "cannot mount a tmpfs here (needs Linux and mount rights)" + (readOnlyFallback ? " and root can write to any folder" : "");
    }
}
