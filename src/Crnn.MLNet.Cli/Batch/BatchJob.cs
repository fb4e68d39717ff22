using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Crnn.MLNet.Training;

namespace Crnn.MLNet.Cli.Batch;

/// <summary>
/// Runs a batch job: inputs streamed from their source in chunks, recognised by several workers at once (each decodes
/// its chunk's images, then scores them, so one worker's decoding overlaps another's scoring), and written in input
/// order as JSON lines. Memory stays flat whatever the count: bounded channels hold at most 2 x workers + 2 chunks.
/// The results plus their <see cref="BatchState"/> make the job resumable after a kill at any moment.
/// </summary>
internal static class BatchJob
{
    /// <summary>A chunk of inputs and, once a worker is done with it, its rows.</summary>
    private sealed class Chunk(BatchInput[] inputs)
    {
        public BatchInput[] Inputs { get; } = inputs;
        public TaskCompletionSource<BatchRows> Rows { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <param name="report">Progress: (fraction done or 0 when the total is unknown, status line, whether to log the line).</param>
    /// <param name="stop">Cancelled by a signal: stop after a whole chunk and checkpoint.</param>
    public static BatchOutcome Run(BatchJobSettings s, IBatchRecognizer recognizer, Action<double, string, bool> report, CancellationToken stop) =>
        RunAsync(s, recognizer, report, stop).GetAwaiter().GetResult();

    private static async Task<BatchOutcome> RunAsync(BatchJobSettings s, IBatchRecognizer recognizer, Action<double, string, bool> report, CancellationToken stop)
    {
        string statePath = BatchState.PathFor(s.OutputPath);
        var now = DateTimeOffset.UtcNow;
        var wanted = new BatchState
        {
            Command = s.Command, Input = s.InputSpec, Shard = s.Shard.ToString(), Settings = s.Settings,
            Device = s.Device, Started = now, Updated = now,
        };
        var saved = BatchState.Read(statePath);
        bool exists = File.Exists(s.OutputPath);
        if ((saved is not null || exists) && !s.Resume)
            throw new CliUsageException($"{s.OutputPath} exists: add --resume to finish that job, or choose another --output.");
        if (exists && saved is null)
            throw new InvalidDataException($"{s.OutputPath} exists but {statePath} does not, so it is not a batch job's results and cannot be resumed: move it away or choose another --output.");
        if (saved?.DifferenceFrom(wanted) is { } difference)
            throw new CliUsageException($"{s.OutputPath} was started with {difference}: resume it with the same settings, or choose another --output.");

        using var inputs = s.Input.Enumerate(s.Shard).GetEnumerator();
        ResultsFile file;
        BatchState state;
        if (saved is null || !exists)
        {
            if (saved is { Rows: > 0 })
                throw new InvalidDataException($"{statePath} records {saved.Rows:N0} rows but {s.OutputPath} is missing: move the state file away to start again.");
            // The state first: results without a state file are never a job's.
            state = wanted;
            state.Write(statePath);
            file = ResultsFile.Open(s.OutputPath, create: true);
        }
        else
        {
            file = ResultsFile.Open(s.OutputPath, create: false);
            if (saved.Finished)
            {
                using (file)
                {
                    if (file.Length != saved.Bytes)
                        throw new InvalidDataException($"{s.OutputPath} changed after its job finished ({saved.Bytes:N0} bytes then, {file.Length:N0} now): choose another --output.");
                }
                report(1, $"{s.OutputPath}: already finished, {saved.Rows:N0} rows ({saved.Errors:N0} errors); nothing to do.", true);
                return new BatchOutcome(saved.Rows, saved.Errors, 0, 0, Finished: true, Interrupted: false);
            }
            try
            {
                var checkClock = Stopwatch.StartNew();
                var check = ResumeCheck.Run(file.Stream, s.OutputPath, inputs, saved.Bytes);
                file.Truncate(check.ValidBytes);
                state = saved with { Rows = check.Rows, Errors = check.Errors, Bytes = check.ValidBytes, Device = s.Device };
                string cut = check.CutReason is null ? "" : $"; cut {check.CutBytes:N0} bytes ({check.CutReason})";
                report(0, $"resuming {s.OutputPath}: {check.Rows:N0} rows already there ({check.Errors:N0} errors), checked against the input in {checkClock.Elapsed.TotalSeconds:F2} s{cut}", true);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        using (file)
            return await Pipeline(s, recognizer, inputs, file, state, statePath, report, stop);
    }

    private static async Task<BatchOutcome> Pipeline(BatchJobSettings s, IBatchRecognizer recognizer, IEnumerator<BatchInput> inputs,
        ResultsFile file, BatchState state, string statePath, Action<double, string, bool> report, CancellationToken stop)
    {
        long rows = state.Rows, errors = state.Errors, resumed = state.Rows;
        // Stops reading and recognising new chunks: on a signal (stop), or when the writer fails.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var work = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(s.Workers) { SingleWriter = true });
        // Chunks in input order, for the writer; its bound is what keeps memory flat while a slow chunk holds the rest back.
        var ordered = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(2 * s.Workers) { SingleWriter = true, SingleReader = true });
        // Reading, recognising and counting block (file I/O, CPU), so they run on threads of their own: on the thread pool
        // they would hold its few threads (one per core at first) and leave the writer's continuations waiting.
        var producer = OwnThread(() => Produce(inputs, recognizer.ChunkSize, work.Writer, ordered.Writer, cancel.Token));
        var workers = Enumerable.Range(0, s.Workers).Select(_ => OwnThread(() => Recognize(recognizer, work.Reader, cancel.Token))).ToArray();
        var total = s.Input.CanCount ? OwnThread(() => Count(s.Input, s.Shard, cancel.Token)) : Task.FromResult(-1L);
        // Chunks no worker took before they stopped are cancelled, so the writer ends at the first of them.
        var abandon = Task.WhenAll([producer, .. workers]).ContinueWith(_ =>
        {
            while (work.Reader.TryRead(out var left)) left.Rows.TrySetCanceled();
        }, TaskScheduler.Default);

        var clock = Stopwatch.StartNew();
        var sinceCheckpoint = Stopwatch.StartNew();
        bool finished = false, interrupted = false;
        void Checkpoint()
        {
            file.Checkpoint();
            state = state with { Rows = rows, Errors = errors, Bytes = file.Length, Finished = finished, Updated = DateTimeOffset.UtcNow };
            state.Write(statePath);
        }
        try
        {
            // On a signal the writer still writes the chunks being recognised (a whole chunk each), then stops.
            await foreach (var chunk in ordered.Reader.ReadAllAsync())
            {
                BatchRows done;
                try { done = await chunk.Rows.Task; }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    interrupted = true;
                    break;
                }
                file.Append(done.Utf8);
                rows += done.Count;
                errors += done.Errors;
                long known = total.IsCompletedSuccessfully ? total.Result : -1;
                report(known > 0 ? (double)rows / known : 0, Status(rows, known, rows - resumed, clock.Elapsed, errors), false);
                if (sinceCheckpoint.Elapsed >= s.CheckpointInterval)
                {
                    Checkpoint();
                    sinceCheckpoint.Restart();
                }
            }
            finished = !interrupted;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            interrupted = true; // the reader stopped: the chunks it had handed out are written
        }
        finally
        {
            cancel.Cancel();
            // The recogniser must outlive every worker: wait for them before anything is disposed.
            try { await Task.WhenAll([producer, .. workers, total, abandon]); }
            catch (Exception) { /* cancellation, or a failure the writer has already rethrown */ }
            Checkpoint();
        }
        if (finished) RemoveLeftoverTemporaries(statePath);
        double seconds = clock.Elapsed.TotalSeconds;
        long added = rows - resumed;
        report(1, interrupted
            ? $"interrupted: {s.OutputPath} holds {rows:N0} rows, checkpointed; run the same command with --resume to finish."
            : $"{s.OutputPath}: {rows:N0} rows ({errors:N0} errors); {added:N0} recognised in {seconds:F1} s ({Rate(added, seconds)} images/s) on {s.Device}.", true);
        return new BatchOutcome(rows, errors, added, seconds, finished, interrupted);
    }

    /// <summary>
    /// A run killed while writing the state file leaves its temporary beside it. Every state write removes such files
    /// once they are a second old (younger ones may still be being written: see AtomicFile); a job that finishes sooner
    /// than that after a kill waits for that second, so that a finished job leaves nothing behind.
    /// </summary>
    private static void RemoveLeftoverTemporaries(string statePath)
    {
        string full = Path.GetFullPath(statePath), folder = Path.GetDirectoryName(full)!, name = Path.GetFileName(full);
        string[] left = Directory.GetFiles(folder, $".{name}.*.tmp");
        if (left.Length == 0) return;
        var wait = left.Max(File.GetLastWriteTimeUtc) + TimeSpan.FromSeconds(1.1) - DateTime.UtcNow;
        if (wait > TimeSpan.Zero) Thread.Sleep(wait < TimeSpan.FromSeconds(2) ? wait : TimeSpan.FromSeconds(2));
        AtomicFile.RemoveStaleTemporaries(folder, name);
    }

    private static Task OwnThread(Action work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static Task<T> OwnThread<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Reads the inputs into chunks, handing each to the writer (in order) and to the workers.</summary>
    private static void Produce(IEnumerator<BatchInput> inputs, int size, ChannelWriter<Chunk> work, ChannelWriter<Chunk> ordered, CancellationToken cancel)
    {
        Exception? failure = null;
        try
        {
            var items = new List<BatchInput>(size);
            bool more = true;
            while (more)
            {
                cancel.ThrowIfCancellationRequested();
                more = inputs.MoveNext();
                if (more) items.Add(inputs.Current);
                if (items.Count == size || (!more && items.Count > 0))
                {
                    var chunk = new Chunk(items.ToArray());
                    items.Clear();
                    Write(ordered, chunk, cancel);
                    try { Write(work, chunk, cancel); }
                    catch (OperationCanceledException)
                    {
                        chunk.Rows.TrySetCanceled(); // handed to the writer but to no worker
                        throw;
                    }
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            work.TryComplete();
            // A failure reading the input reaches the writer after the rows before it.
            ordered.TryComplete(failure);
        }
    }

    private static void Recognize(IBatchRecognizer recognizer, ChannelReader<Chunk> work, CancellationToken cancel)
    {
        try
        {
            while (true)
            {
                if (!work.TryRead(out var chunk))
                {
                    // Another worker may take what arrives first: wait, then try again.
                    if (!work.WaitToReadAsync(cancel).AsTask().GetAwaiter().GetResult()) return;
                    continue;
                }
                try { chunk.Rows.TrySetResult(recognizer.Recognize(chunk.Inputs)); }
                catch (Exception e) { chunk.Rows.TrySetException(e); }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Waits (blocking this thread) for room in a bounded channel.</summary>
    private static void Write(ChannelWriter<Chunk> channel, Chunk chunk, CancellationToken cancel)
    {
        if (!channel.TryWrite(chunk)) channel.WriteAsync(chunk, cancel).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The inputs of the shard, counted on the side for the progress bar.</summary>
    private static long Count(InputSource input, Shard shard, CancellationToken cancel)
    {
        long n = 0;
        try
        {
            foreach (var _ in input.Enumerate(shard))
            {
                if ((++n & 1023) == 0 && cancel.IsCancellationRequested) return -1;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1; // the producer meets the same error and reports it
        }
        return n;
    }

    private static string Status(long rows, long total, long added, TimeSpan elapsed, long errors)
    {
        double rate = added / Math.Max(elapsed.TotalSeconds, 1e-9);
        string of = total >= 0 ? $"/{total:N0}" : "";
        string eta = total >= 0 && rate > 0 ? $", ETA {TimeSpan.FromSeconds(Math.Ceiling(Math.Max(0, total - rows) / rate)):g}" : "";
        string failed = errors > 0 ? $", {errors:N0} errors" : "";
        return $"{rows:N0}{of} images, {Rate(added, elapsed.TotalSeconds)} images/s{eta}{failed}";
    }

    private static string Rate(long images, double seconds) =>
        (images / Math.Max(seconds, 1e-9)).ToString("N0", CultureInfo.InvariantCulture);
}
