using System.Runtime.InteropServices;

namespace Crnn.MLNet.Cli.Batch;

/// <summary>
/// Turns the first SIGINT (Ctrl+C) or SIGTERM (what Kubernetes and Slurm send before killing) into a cancellation, so
/// a batch job stops at a whole chunk and checkpoints; a second signal ends the process as usual.
/// </summary>
internal sealed class InterruptSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _received;

    public InterruptSignals()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>The first signal received ("SIGINT", "SIGTERM"), or null.</summary>
    public string? Signal { get; private set; }

    /// <summary>The shell's exit code for a process ended by <see cref="Signal"/>: 128 + its number.</summary>
    public int ExitCode => Signal == "SIGINT" ? 130 : 143;

    private void Handle(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _received) > 1) return; // default handling: the process ends
        context.Cancel = true;
        Signal = context.Signal.ToString();
        _cancel.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cancel.Dispose();
    }
}
