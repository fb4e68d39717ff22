using System.Text.Json;
using Crnn.MLNet.Training;

namespace Crnn.MLNet.Cli.Batch;

/// <summary>
/// The small file beside a batch job's results (<c>results.jsonl.state.json</c>): the settings the job was started with,
/// so that <c>--resume</c> refuses a different command, and how far the results are known to be on disk (rows and bytes
/// at the last checkpoint, after an fsync of the results) and whether the job finished. Written atomically.
/// </summary>
internal sealed record BatchState
{
    public const string CurrentFormat = "crnn-batch/1";

    /// <summary>Appended to the results file's name.</summary>
    public const string Suffix = ".state.json";

    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public string Format { get; init; } = CurrentFormat;
    public required string Command { get; init; }
    public required string Input { get; init; }
    public required string Shard { get; init; }

    /// <summary>Everything else that changes the answers (the model's SHA-256, --top, decoding, ...), as text.</summary>
    public required SortedDictionary<string, string> Settings { get; init; }

    /// <summary>Rows in the results at the last checkpoint (each input of the shard, in input order, exactly once).</summary>
    public long Rows { get; init; }

    /// <summary>Rows among <see cref="Rows"/> that carry an error instead of an answer.</summary>
    public long Errors { get; init; }

    /// <summary>Length of the results at the last checkpoint: whole lines, flushed to disk.</summary>
    public long Bytes { get; init; }

    /// <summary>True once every input has its row: the results are complete.</summary>
    public bool Finished { get; init; }

    /// <summary>Where the model ran in the latest run (cpu or cuda:N).</summary>
    public string Device { get; init; } = "cpu";

    public DateTimeOffset Started { get; init; }
    public DateTimeOffset Updated { get; init; }

    public static string PathFor(string output) => output + Suffix;

    /// <summary>The state at <paramref name="path"/>, or null when there is none.</summary>
    public static BatchState? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var state = JsonSerializer.Deserialize<BatchState>(File.ReadAllBytes(path), s_json)
                ?? throw new JsonException("null");
            if (state.Format != CurrentFormat) throw new JsonException($"format '{state.Format}', expected '{CurrentFormat}'");
            return state;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a batch job's state ({e.Message}); move it and the results away, or choose another --output.", e);
        }
    }

    public void Write(string path) => AtomicFile.WriteAllBytes(path, [.. JsonSerializer.SerializeToUtf8Bytes(this, s_json), (byte)'\n']);

    /// <summary>The first setting in which <paramref name="now"/> differs, as "X, this command has Y", or null.</summary>
    public string? DifferenceFrom(BatchState now)
    {
        if (Command != now.Command) return $"'crnn {Command}', this command is 'crnn {now.Command}'";
        if (Input != now.Input) return $"--input {Input}, this command has --input {now.Input}";
        if (Shard != now.Shard) return $"--shard {Shard}, this command has --shard {now.Shard}";
        foreach (string key in Settings.Keys.Union(now.Settings.Keys))
        {
            string then = Settings.GetValueOrDefault(key) ?? "(none)", current = now.Settings.GetValueOrDefault(key) ?? "(none)";
            if (then != current) return $"{key} {then}, this command has {key} {current}";
        }
        return null;
    }
}
