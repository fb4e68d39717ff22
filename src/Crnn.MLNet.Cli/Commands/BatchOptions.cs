using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Crnn.MLNet.Cli.Batch;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// The batch-mode options <c>predict</c> and <c>read</c> share: <c>--input</c> switches it on, <c>--output</c> names the
/// results; <c>--resume</c>, <c>--shard</c>, <c>--workers</c> and <c>--checkpoint-seconds</c> only apply with them.
/// </summary>
internal sealed class BatchOptions
{
    public Option<string?> Input { get; } = new("--input", "-i")
    {
        Description = "Batch mode: a folder (its images at any depth), a file listing image paths one per line (relative to the " +
                      "list's folder; blank lines and # comments skipped), or - for such a list on stdin. Needs --output.",
    };

    public Option<string?> Output { get; } = new("--output", "-o")
    {
        Description = "Batch mode: the results, one JSON object per image and line (path, answer, confidence, alternatives, or error), " +
                      "with a .state.json beside it.",
    };

    public Option<bool> Resume { get; } = new("--resume")
    {
        Description = "Batch mode: finish the job --output was started for (start it if there is none); every input is answered exactly once.",
    };

    public Option<string?> Shard { get; } = new("--shard")
    {
        Description = "Batch mode: only share i of N of the inputs (0 <= i < N), chosen by a hash of each path; N copies with i = 0..N-1 cover all.",
    };

    public Option<int?> Workers { get; } = new("--workers")
    {
        Description = "Batch mode: chunks recognised at the same time, each decoding then scoring its images (default: one per core).",
    };

    public Option<double> CheckpointSeconds { get; } = new("--checkpoint-seconds")
    {
        Description = "Batch mode: least time between checkpoints (results flushed to disk, then the state file).",
        DefaultValueFactory = _ => 5,
    };

    public IEnumerable<Option> All => [Input, Output, Resume, Shard, Workers, CheckpointSeconds];

    /// <summary>
    /// Whether the command line asks for batch mode; throws a usage error for a mix of batch and single-file arguments,
    /// or for neither.
    /// </summary>
    public bool IsBatch(ParseResult parse, string command, bool hasFiles, Option<bool> json)
    {
        bool input = parse.GetValue(Input) is not null;
        if (!input)
        {
            var batchOnly = new Option[] { Output, Resume, Shard, Workers, CheckpointSeconds }.Where(o => parse.GetResult(o) is { Implicit: false }).ToArray();
            if (batchOnly.Length > 0)
                throw new CliUsageException($"{string.Join(", ", batchOnly.Select(o => o.Name))} only work with --input (batch mode).");
            if (!hasFiles)
                throw new CliUsageException($"give image files, or --input DIR|LIST|- with --output RESULTS.jsonl (see 'crnn {command} --help').");
            return false;
        }
        if (hasFiles) throw new CliUsageException("give image files or --input, not both.");
        if (parse.GetValue(Output) is null) throw new CliUsageException("--input needs --output RESULTS.jsonl (one JSON object per image).");
        if (parse.GetValue(json)) throw new CliUsageException("--json is for image files given as arguments; with --input the results are JSON lines in --output.");
        return true;
    }

    /// <summary>Workers for this command line.</summary>
    public int ReadWorkers(ParseResult parse)
    {
        int workers = parse.GetValue(Workers) ?? Environment.ProcessorCount;
        if (workers is < 1 or > 256) throw new CliUsageException($"--workers must be in 1..256, got {workers}.");
        return workers;
    }

    /// <summary>
    /// The job's settings, checked before the model is opened; <paramref name="answers"/> holds what else changes the
    /// answers. <see cref="BatchJobSettings.Device"/> is "cpu" until the caller sets where the model opened.
    /// </summary>
    public BatchJobSettings Read(ParseResult parse, string command, SortedDictionary<string, string> answers)
    {
        string spec = parse.GetValue(Input)!;
        double checkpoint = parse.GetValue(CheckpointSeconds);
        if (!(checkpoint is > 0 and <= 86400)) throw new CliUsageException($"--checkpoint-seconds must be in (0, 86400], got {checkpoint.ToString(CultureInfo.InvariantCulture)}.");
        var shard = parse.GetValue(Shard) is { } text ? Batch.Shard.Parse(text) : Batch.Shard.All;
        string output = parse.GetValue(Output)!;
        if (Directory.Exists(output)) throw new CliUsageException($"--output {output} is a folder; give the results file's name, e.g. {Path.Join(output, "results.jsonl")}.");
        return new BatchJobSettings
        {
            Command = command,
            InputSpec = spec,
            Input = InputSource.Open(spec, () => Console.In),
            Shard = shard,
            OutputPath = output,
            Resume = parse.GetValue(Resume),
            Workers = ReadWorkers(parse),
            CheckpointInterval = TimeSpan.FromSeconds(checkpoint),
            Settings = answers,
            Device = "cpu",
        };
    }

    /// <summary>The model file's SHA-256, so that a resumed job uses the same model even if the file was replaced.</summary>
    public static string ModelHash(string modelPath)
    {
        try
        {
            using var stream = File.OpenRead(modelPath);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileNotFoundException($"{modelPath}: cannot read the model: {e.Message}", modelPath, e);
        }
    }

    /// <summary>Runs a batch job with progress on stderr; the exit code (0 when finished, 128 + signal when interrupted).</summary>
    public static int Run(BatchJobSettings settings, IBatchRecognizer recognizer, TextWriter stderr)
    {
        using var signals = new InterruptSignals();
        string shard = settings.Shard.IsAll ? "" : $", shard {settings.Shard}";
        var outcome = new ConsoleProgress(stderr).Run(
            $"crnn {settings.Command}: {settings.Input.Description} -> {settings.OutputPath}{shard}, {settings.Workers} workers, {settings.Device}",
            report => BatchJob.Run(settings, recognizer, report, signals.Token));
        return outcome.Interrupted ? signals.ExitCode : 0;
    }
}
