using System.Text;
using Crnn.MLNet.Cli.Batch;
using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Cli.Tests.Batch;

/// <summary>
/// <see cref="BatchJob"/> when something other than an image fails: the input breaks off, or recognition throws. The job
/// ends with that error, after checkpointing the rows before it, and resuming goes on from there.
/// </summary>
public sealed class BatchJobFailureTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Inputs a.png, b.png, ...; throws an <see cref="IOException"/> after <paramref name="failAfter"/> of them, if set.</summary>
    private sealed class NumberedInputs(int count, int? failAfter) : InputSource
    {
        public override string Description => "numbered inputs";
        public override bool CanCount => false;

        public override IEnumerable<BatchInput> Enumerate()
        {
            for (int i = 0; i < count; i++)
            {
                if (i == failAfter) throw new IOException($"input broke off after {i} paths");
                yield return new BatchInput($"{i:D4}.png", $"{i:D4}.png", $"{i:D4}.png");
            }
        }
    }

    /// <summary>Rows that only name the path; throws on the chunk holding input <paramref name="failAt"/>, if set.</summary>
    private sealed class PathRows(int chunkSize, int? failAt) : IBatchRecognizer
    {
        public int ChunkSize => chunkSize;

        public BatchRows Recognize(IReadOnlyList<BatchInput> inputs)
        {
            if (failAt is int f && inputs.Any(i => i.Path == $"{f:D4}.png")) throw new InvalidOperationException("the model failed");
            var text = new StringBuilder();
            foreach (var i in inputs) text.Append($"{{\"path\":\"{i.Path}\",\"label\":\"x\"}}\n");
            return new BatchRows(Encoding.UTF8.GetBytes(text.ToString()), inputs.Count, 0);
        }
    }

    private BatchJobSettings Settings(InputSource input, bool resume) => new()
    {
        Command = "predict", InputSpec = "numbered", Input = input, Shard = Shard.All, OutputPath = _dir.File("r.jsonl"),
        Resume = resume, Workers = 2, CheckpointInterval = TimeSpan.FromHours(1), Device = "cpu",
        Settings = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["model"] = "test" },
    };

    private static void Ignore(double fraction, string line, bool log) { }

    [Fact]
    public void An_input_that_breaks_off_ends_the_job_with_its_error_after_the_rows_before_it()
    {
        var e = Assert.Throws<IOException>(() => BatchJob.Run(Settings(new NumberedInputs(100, failAfter: 37), resume: false), new PathRows(8, null), Ignore, default));
        Assert.Equal("input broke off after 37 paths", e.Message);
        var rows = ResultRows.Read(_dir.File("r.jsonl"));
        Assert.Equal(32, rows.Count); // the whole chunks before the break
        var state = ResultRows.State(_dir.File("r.jsonl"));
        Assert.Equal(32, state.GetProperty("rows").GetInt64());
        Assert.False(state.GetProperty("finished").GetBoolean());

        var done = BatchJob.Run(Settings(new NumberedInputs(100, failAfter: null), resume: true), new PathRows(8, null), Ignore, default);
        Assert.True(done.Finished);
        Assert.Equal(68, done.NewRows);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"{i:D4}.png"), ResultRows.Read(_dir.File("r.jsonl")).Select(ResultRows.Path));
    }

    [Fact]
    public void A_recogniser_that_throws_ends_the_job_and_keeps_the_rows_before()
    {
        var e = Assert.Throws<InvalidOperationException>(() => BatchJob.Run(Settings(new NumberedInputs(100, null), resume: false), new PathRows(10, failAt: 55), Ignore, default));
        Assert.Equal("the model failed", e.Message);
        var rows = ResultRows.Read(_dir.File("r.jsonl"));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{i:D4}.png"), rows.Select(ResultRows.Path));
        Assert.Equal(50, ResultRows.State(_dir.File("r.jsonl")).GetProperty("rows").GetInt64());

        var done = BatchJob.Run(Settings(new NumberedInputs(100, null), resume: true), new PathRows(10, null), Ignore, default);
        Assert.True(done.Finished);
        Assert.Equal(100, ResultRows.Read(_dir.File("r.jsonl")).Count);
    }

    [Fact]
    public void A_cancelled_job_checkpoints_whole_rows_and_says_so()
    {
        using var stop = new CancellationTokenSource();
        var recognizer = new StoppingRows(stop, afterChunks: 3);
        var outcome = BatchJob.Run(Settings(new NumberedInputs(1000, null), resume: false), recognizer, Ignore, stop.Token);
        Assert.True(outcome.Interrupted);
        Assert.False(outcome.Finished);
        var rows = ResultRows.Read(_dir.File("r.jsonl"));
        Assert.InRange(rows.Count, 1, 999);
        Assert.Equal(rows.Count, ResultRows.State(_dir.File("r.jsonl")).GetProperty("rows").GetInt64());
    }

    /// <summary>Cancels the job (as a signal would) while recognising its <c>afterChunks</c>-th chunk.</summary>
    private sealed class StoppingRows(CancellationTokenSource stop, int afterChunks) : IBatchRecognizer
    {
        private readonly PathRows _rows = new(10, null);
        private int _chunks;

        public int ChunkSize => 10;

        public BatchRows Recognize(IReadOnlyList<BatchInput> inputs)
        {
            if (Interlocked.Increment(ref _chunks) == afterChunks) stop.Cancel();
            return _rows.Recognize(inputs);
        }
    }
}
