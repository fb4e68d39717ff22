namespace Crnn.MLNet.Model;

/// <summary>
/// Bounds the single-threaded ONNX Runtime runs of the whole process to one per logical core. A batched cursor keeps
/// one batch per core in flight; with several cursors at once (a server transforming concurrent requests), their runs
/// queue here instead of putting cursors x cores threads on the cores.
/// </summary>
internal static class CpuRunGate
{
    private static readonly SemaphoreSlim s_slots = new(Math.Max(1, Environment.ProcessorCount));

    /// <summary>Runs held at most at once.</summary>
    public static int Capacity { get; } = Math.Max(1, Environment.ProcessorCount);

    private static int s_running, s_peak;

    /// <summary>Runs <paramref name="run"/> when a core is free.</summary>
    public static void Run(Action run)
    {
        s_slots.Wait();
        try
        {
            int now = Interlocked.Increment(ref s_running);
            for (int peak = Volatile.Read(ref s_peak); now > peak && Interlocked.CompareExchange(ref s_peak, now, peak) != peak; peak = Volatile.Read(ref s_peak)) { }
            run();
        }
        finally
        {
            Interlocked.Decrement(ref s_running);
            s_slots.Release();
        }
    }

    /// <summary>The most runs seen at once since the last reset (for tests).</summary>
    internal static int Peak => Volatile.Read(ref s_peak);

    internal static void ResetPeak() => Volatile.Write(ref s_peak, 0);
}
