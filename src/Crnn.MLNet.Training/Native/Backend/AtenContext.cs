using System.Runtime.InteropServices;

namespace Crnn.MLNet.Training.Native.Backend;

/// <summary>
/// ATen's global switch for oneDNN (PyTorch's <c>torch.backends.mkldnn.enabled</c>), which TorchSharp does not
/// expose: <c>at::globalContext().setUserEnabledMkldnn(bool)</c>, called through its exported C++ symbol in
/// <c>libtorch_cpu.so</c> (already loaded by TorchSharp). With it off, convolutions and LSTMs run on ATen's own
/// kernels; every op checks the switch when it runs, so it can change at any time.
/// </summary>
internal static class AtenContext
{
    // Itanium C++ ABI names (Linux): at::globalContext(), at::Context::setUserEnabledMkldnn(bool), at::Context::userEnabledMkldnn() const.
    private const string GlobalContextSymbol = "_ZN2at13globalContextEv";
    private const string SetMkldnnSymbol = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private const string GetMkldnnSymbol = "_ZNK2at7Context17userEnabledMkldnnEv";

    private static readonly Lazy<Exports?> Symbols = new(Resolve);

    private sealed record Exports(IntPtr GlobalContext, IntPtr SetMkldnn, IntPtr GetMkldnn);

    /// <summary>Whether the switch can be reached on this platform and LibTorch build.</summary>
    public static bool IsAvailable => Symbols.Value is not null;

    /// <summary>Whether LibTorch may use oneDNN (the user-facing switch; oneDNN may still be absent from the build).</summary>
    public static unsafe bool MkldnnEnabled
    {
        get
        {
            var s = Require();
            IntPtr context = ((delegate* unmanaged<IntPtr>)s.GlobalContext)();
            return ((delegate* unmanaged<IntPtr, byte>)s.GetMkldnn)(context) != 0;
        }
        set
        {
            var s = Require();
            IntPtr context = ((delegate* unmanaged<IntPtr>)s.GlobalContext)();
            ((delegate* unmanaged<IntPtr, byte, void>)s.SetMkldnn)(context, value ? (byte)1 : (byte)0);
        }
    }

    private static Exports Require() => Symbols.Value ?? throw new PlatformNotSupportedException(
        $"cannot switch oneDNN off: libtorch_cpu does not export {SetMkldnnSymbol} here (only Linux builds of LibTorch are supported)");

    private static Exports? Resolve()
    {
        if (!OperatingSystem.IsLinux()) return null;
        // TorchSharp has loaded libtorch_cpu.so by now; dlopen by its soname returns that same copy.
        _ = TorchSharp.torch.get_num_threads();
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", out IntPtr lib)) return null;
        if (!NativeLibrary.TryGetExport(lib, GlobalContextSymbol, out IntPtr ctx)
            || !NativeLibrary.TryGetExport(lib, SetMkldnnSymbol, out IntPtr set)
            || !NativeLibrary.TryGetExport(lib, GetMkldnnSymbol, out IntPtr get))
            return null;
        return new Exports(ctx, set, get);
    }
}
