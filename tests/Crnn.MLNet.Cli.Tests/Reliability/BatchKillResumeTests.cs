using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Crnn.MLNet.Cli.Tests.Batch;
using Crnn.MLNet.Tests.Support;
using Xunit.Abstractions;

namespace Crnn.MLNet.Cli.Tests.Reliability;

/// <summary>
/// Runs the real <c>crnn predict --input LIST --output RESULTS --resume</c> as a child process, kills it (SIGKILL) at
/// random moments and runs the same command again until it finishes; the results must then hold every input exactly once,
/// in input order, with the answers of an uninterrupted run. After every kill the results may end in at most one
/// unfinished line, every whole line must parse and answer the next input, and the state file must parse.
/// <c>CRNN_KILL_COUNT</c> and <c>CRNN_KILL_SEED</c> set a longer run.
/// </summary>
public sealed class BatchKillResumeTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A tiny model and <paramref name="count"/> images of varied size listed in list.txt (a few broken), relative to the list.</summary>
    private (string Model, string List, string[] Paths) Inputs(int count)
    {
        string model = TestModels.WriteTemp(_dir, TestModels.Build());
        var rng = new Random(5);
        var paths = new List<string>();
        Directory.CreateDirectory(_dir.File("img"));
        for (int i = 0; i < count; i++)
        {
            string name = $"img/{i:D5}.png";
            if (i % 97 == 13) File.WriteAllText(_dir.File(name), "broken");
            else
            {
                int w = 120 + rng.Next(200), h = 120 + rng.Next(200);
                using var bmp = TestImages.Text(TestModels.Digits[i % 10], w, h, size: Math.Min(w, h) * 0.7f, strokeWidth: rng.Next(4));
                TestImages.Save(bmp, _dir.File(name));
            }
            paths.Add(name);
        }
        string list = _dir.File("list.txt");
        File.WriteAllLines(list, ["# kill test inputs", .. paths]);
        return (model, list, paths.ToArray());
    }

    private static string[] Args(string model, string list, string results) =>
        ["predict", "--model", model, "--input", list, "--output", results, "--resume", "--checkpoint-seconds", "0.2"];

    [Fact]
    public void Batch_predict_killed_at_random_moments_answers_every_input_exactly_once()
    {
        int kills = int.TryParse(Environment.GetEnvironmentVariable("CRNN_KILL_COUNT"), out int k) && k > 0 ? k : 4;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("CRNN_KILL_SEED"), out int s) ? s : 17;
        var (model, list, paths) = Inputs(2500);

        string reference = _dir.File("reference.jsonl");
        var clock = Stopwatch.StartNew();
        using (var run = CrnnChild.Start(Args(model, list, reference)))
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(5)) == 0, run.Stderr);
        var full = clock.Elapsed;
        var expected = ResultRows.Read(reference);
        Assert.Equal(paths, expected.Select(ResultRows.Path));
        output.WriteLine($"uninterrupted run: {full.TotalSeconds:F1} s, {expected.Count} rows");

        var rng = new Random(seed);
        int killed = 0, rounds = 0, runs = 0;
        while (killed < kills)
        {
            string results = _dir.File($"interrupted-{++rounds}.jsonl");
            var killedPids = new List<int>();
            while (true)
            {
                runs++;
                using var run = CrnnChild.Start(Args(model, list, results));
                var delay = TimeSpan.FromSeconds(full.TotalSeconds * (0.05 + 0.95 * rng.NextDouble()));
                if (!run.Process.WaitForExit(delay))
                {
                    run.Process.Kill(entireProcessTree: true);
                    run.Process.WaitForExit();
                    killed++;
                    killedPids.Add(run.Process.Id);
                    int whole = AssertWholeRowsArePrefixOf(results, expected, killedPids);
                    output.WriteLine($"round {rounds} kill {killed} (pid {run.Process.Id}) after {delay.TotalSeconds:F2} s: {whole} whole rows");
                    continue;
                }
                Assert.True(run.WaitForExit(TimeSpan.FromSeconds(1)) == 0, $"round {rounds}: {run.Stderr}");
                output.WriteLine($"round {rounds}: run (pid {run.Process.Id}) finished by itself: {run.Stderr.Trim().Split('\n')[^1]}");
                break;
            }
            var rows = ResultRows.Read(results);
            Assert.Equal(paths, rows.Select(ResultRows.Path)); // every input, in order, exactly once
            for (int i = 0; i < rows.Count; i++) AssertSameAnswer(expected[i], rows[i]);
            var state = ResultRows.State(results);
            Assert.True(state.GetProperty("finished").GetBoolean());
            Assert.Equal(paths.Length, state.GetProperty("rows").GetInt64());
            Assert.Equal(expected.Count(r => r.TryGetProperty("error", out _)), state.GetProperty("errors").GetInt64());
            Assert.True(Directory.GetFiles(_dir.Path, "*.tmp").Length == 0, $"round {rounds}: left-over temporaries {string.Join(", ", Directory.GetFiles(_dir.Path, "*.tmp"))}");
        }
        output.WriteLine($"{killed} kills in {rounds} rounds, {runs} runs; every round ended with all {paths.Length} inputs answered once, as uninterrupted");
    }

    [Fact]
    public void Sigterm_stops_at_a_whole_chunk_checkpoints_and_resume_finishes()
    {
        var (model, list, paths) = Inputs(2500);
        string results = _dir.File("results.jsonl");
        // One worker: slow enough to be caught mid-job on a fast machine.
        using (var run = CrnnChild.Start([.. Args(model, list, results), "--workers", "1"]))
        {
            // Wait for the first rows, then ask it to stop the way Kubernetes does.
            var wait = Stopwatch.StartNew();
            while ((!File.Exists(results) || new FileInfo(results).Length == 0) && !run.Process.HasExited && wait.Elapsed < TimeSpan.FromMinutes(2))
                Thread.Sleep(20);
            Assert.False(run.Process.HasExited, "finished before it could be stopped: " + run.Stderr);
            Assert.Equal(0, Kill(run.Process.Id, 15));
            Assert.Equal(143, run.WaitForExit(TimeSpan.FromMinutes(1)));
            Assert.Contains("interrupted: ", run.Stderr);
            Assert.Contains("--resume to finish", run.Stderr);
        }
        var rows = ResultRows.Read(results); // ends with a whole line
        var state = ResultRows.State(results);
        Assert.False(state.GetProperty("finished").GetBoolean());
        Assert.Equal(rows.Count, state.GetProperty("rows").GetInt64());
        Assert.Equal(new FileInfo(results).Length, state.GetProperty("bytes").GetInt64());
        Assert.InRange(rows.Count, 1, paths.Length - 1);

        using (var run = CrnnChild.Start([.. Args(model, list, results), "--workers", "1"]))
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(5)) == 0, run.Stderr);
        Assert.Equal(paths, ResultRows.Read(results).Select(ResultRows.Path));
    }

    [Fact]
    public void Shards_are_the_same_in_every_process_and_standard_input_works()
    {
        var (model, _, paths) = Inputs(120);
        var seen = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            string results = _dir.File($"shard-{i}.jsonl");
            using var run = CrnnChild.Start(["predict", "--model", model, "--input", "-", "--output", results, "--shard", $"{i}/3"],
                stdin: string.Join('\n', paths.Select(p => _dir.File(p))) + "\n");
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(2)) == 0, run.Stderr);
            var mine = ResultRows.Read(results).Select(ResultRows.Path).ToArray();
            // This process's hash of each path agrees with the child's.
            Assert.Equal(paths.Select(p => _dir.File(p)).Where(p => new Cli.Batch.Shard(i, 3).Contains(p)), mine);
            seen.AddRange(mine);
        }
        Assert.Equal(paths.Select(p => _dir.File(p)).Order(), seen.Order());
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>
    /// After a kill: every whole line parses and answers the input at its position (the reference's row), at most one
    /// unfinished line follows, the state file parses, and the only temporaries are those of processes killed in this
    /// round (a run killed before it tidies up leaves the previous victim's temporary too; the run that finishes the
    /// round removes them all, which the caller checks).
    /// </summary>
    private static int AssertWholeRowsArePrefixOf(string results, List<JsonElement> expected, IReadOnlyList<int> killedPids)
    {
        string dir = Path.GetDirectoryName(results)!;
        foreach (string temp in Directory.GetFiles(dir, "*.tmp"))
            Assert.True(killedPids.Any(pid => Path.GetFileName(temp).Contains($".{pid}.", StringComparison.Ordinal)),
                $"left-over temporary {temp} (killed in this round: {string.Join(", ", killedPids)})");
        if (File.Exists(results + ".state.json"))
            using (JsonDocument.Parse(File.ReadAllBytes(results + ".state.json"))) { }
        if (!File.Exists(results)) return 0;
        string text = File.ReadAllText(results);
        var lines = text.Split('\n');
        int whole = lines.Length - 1; // the last piece is "" or an unfinished line
        for (int i = 0; i < whole; i++)
        {
            var row = JsonDocument.Parse(lines[i]).RootElement;
            Assert.Equal(ResultRows.Path(expected[i]), ResultRows.Path(row));
            AssertSameAnswer(expected[i], row);
        }
        return whole;
    }

    private static void AssertSameAnswer(JsonElement expected, JsonElement actual)
    {
        if (expected.TryGetProperty("error", out var error))
        {
            Assert.Equal(error.GetString(), actual.GetProperty("error").GetString());
            return;
        }
        Assert.Equal(expected.GetProperty("label").GetString(), actual.GetProperty("label").GetString());
        Assert.Equal(expected.GetProperty("confidence").GetDouble(), actual.GetProperty("confidence").GetDouble(), 5);
    }
}
