using System.Runtime.InteropServices;

namespace Crnn.MLNet.Training.Native.Backend;

/// <summary>
/// The process environment as native code sees it. On Linux, .NET's <see cref="Environment.SetEnvironmentVariable(string, string?)"/>
/// changes only a managed copy, which oneDNN (reading <c>getenv</c> inside LibTorch) never sees; libc's
/// <c>setenv</c> does. Both are set so that child processes inherit the value too.
/// </summary>
internal static partial class NativeEnvironment
{
    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);

    /// <summary>The variable as native code reads it (the managed copy elsewhere).</summary>
    public static string? Get(string name)
    {
        if (!OperatingSystem.IsLinux()) return Environment.GetEnvironmentVariable(name);
        IntPtr p = GetEnv(name);
        return p == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(p);
    }

    /// <summary>Sets the variable for native code and for the managed environment (and so for child processes).</summary>
    public static void Set(string name, string value)
    {
        if (OperatingSystem.IsLinux() && SetEnv(name, value, 1) != 0)
            throw new InvalidOperationException($"setenv({name}) failed with errno {Marshal.GetLastPInvokeError()}");
        Environment.SetEnvironmentVariable(name, value);
    }
}
