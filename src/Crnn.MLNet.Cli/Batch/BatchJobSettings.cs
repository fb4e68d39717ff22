namespace Crnn.MLNet.Cli.Batch;

/// <summary>One batch job: what to read, which share of it, where the results go, and the answers' settings.</summary>
internal sealed record BatchJobSettings
{
    /// <summary>"predict" or "read".</summary>
    public required string Command { get; init; }

    /// <summary>--input as given (recorded, and compared when resuming).</summary>
    public required string InputSpec { get; init; }

    public required InputSource Input { get; init; }
    public required Shard Shard { get; init; }
    public required string OutputPath { get; init; }
    public required bool Resume { get; init; }

    /// <summary>Chunks recognised at the same time, each decoding its images and then scoring them.</summary>
    public required int Workers { get; init; }

    /// <summary>Least time between two checkpoints (fsync of the results, then the state file).</summary>
    public required TimeSpan CheckpointInterval { get; init; }

    /// <summary>Everything else that changes the answers, as text (model hash, options).</summary>
    public required SortedDictionary<string, string> Settings { get; init; }

    /// <summary>Where the model runs (cpu, cuda:N), for the state file and the summary.</summary>
    public required string Device { get; init; }
}

/// <summary>How a batch job ended.</summary>
/// <param name="Rows">Rows in the results now.</param>
/// <param name="Errors">Rows among them with an error.</param>
/// <param name="NewRows">Rows this run added.</param>
/// <param name="Seconds">Time this run spent recognising.</param>
/// <param name="Finished">Every input has its row.</param>
/// <param name="Interrupted">Stopped by a signal (the results are checkpointed; --resume finishes them).</param>
internal sealed record BatchOutcome(long Rows, long Errors, long NewRows, double Seconds, bool Finished, bool Interrupted);
