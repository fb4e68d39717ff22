using Crnn.MLNet.Tests.Support;
using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Training;
using SkiaSharp;
using Xunit.Abstractions;

namespace Crnn.MLNet.Cli.Tests.Reliability;

/// <summary>
/// Runs the real <c>crnn train</c> as a child process, kills it (SIGKILL on Linux) at random moments, resumes until it
/// finishes, and compares the outcome with an uninterrupted run: same summary figures, same checkpoint weights. After
/// every kill each output file must parse; temporaries may only belong to the killed process, and none may be left at
/// the end. <c>CRNN_KILL_COUNT</c> and <c>CRNN_KILL_SEED</c> set a longer run.
/// </summary>
public sealed class KillResumeTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string[] Args(string outDir, bool resume) =>
        ["train", "--dataset", "mnist", "--limit", "600", "--epochs", "3", "--widths", "8,16,24", "--convs-per-block", "1", "--hidden", "24",
         "--threads", "1", "--out", outDir, .. resume ? new[] { "--resume" } : []];

    private static Process Start(string[] args)
    {
        string crnn = Path.Combine(AppContext.BaseDirectory, "crnn.dll");
        Assert.True(File.Exists(crnn), $"crnn.dll is not beside the tests ({AppContext.BaseDirectory})");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var psi = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(crnn);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        // Drain the pipes so the child never blocks on a full one.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void RunToEnd(string[] args)
    {
        using var p = Start(args);
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(10)), "training did not finish in 10 minutes");
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"crnn {string.Join(' ', args)} exited with {p.ExitCode}");
    }

    [RealDataFact("mnist")]
    public void Training_killed_at_random_moments_resumes_to_the_uninterrupted_result()
    {
        int kills = int.TryParse(Environment.GetEnvironmentVariable("CRNN_KILL_COUNT"), out int k) && k > 0 ? k : 3;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("CRNN_KILL_SEED"), out int s) ? s : 11;
        string reference = _dir.File("reference");

        var clock = Stopwatch.StartNew();
        RunToEnd(Args(reference, resume: false));
        var full = clock.Elapsed;
        output.WriteLine($"uninterrupted run: {full.TotalSeconds:F1} s");

        var rng = new Random(seed);
        int killed = 0, runs = 0, rounds = 0;
        var killLog = new List<string>();
        var a = Summary(reference);
        // Rounds: train into a fresh folder, killing at random moments, until a run outlives its kill delay and
        // finishes; then compare with the uninterrupted run. Repeat until enough kills have landed.
        while (killed < kills)
        {
            string interrupted = _dir.File($"interrupted-{++rounds}");
            while (true)
            {
                bool resume = File.Exists(Path.Combine(interrupted, CrnnTrainer.CheckpointFileName));
                runs++;
                using var p = Start(Args(interrupted, resume));
                var delay = TimeSpan.FromSeconds(full.TotalSeconds * (0.05 + 0.95 * rng.NextDouble()));
                if (!p.WaitForExit(delay))
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit();
                    killed++;
                    string note = $"round {rounds} kill {killed} (pid {p.Id}) after {delay.TotalSeconds:F1} s (resume={resume}, checkpoint epochs={ReadEpochs(interrupted)}, " +
                        $"temporaries: {string.Join(" ", Directory.Exists(interrupted) ? Directory.GetFiles(interrupted, "*.tmp").Select(Path.GetFileName) : [])})";
                    killLog.Add(note);
                    output.WriteLine(note);
                    AssertEveryFileParses(interrupted, allowTemporariesOf: p.Id);
                    continue;
                }
                p.WaitForExit();
                output.WriteLine($"round {rounds}: run (pid {p.Id}) finished by itself");
                Assert.True(p.ExitCode == 0, $"round {rounds}: the run exited with {p.ExitCode}");
                break;
            }

            AssertEveryFileParses(interrupted, allowTemporariesOf: null);
            var b = Summary(interrupted);
            Assert.Equal(a.EpochsRun, b.EpochsRun);
            Assert.Equal(a.BestEpoch, b.BestEpoch);
            Assert.Equal(a.BestValidationLoss, b.BestValidationLoss);
            Assert.Equal(a.ValidationAccuracy, b.ValidationAccuracy);
            Assert.Equal(a.TestAccuracy, b.TestAccuracy);
            Assert.Equal(a.TestLoss, b.TestLoss);
            foreach (string entry in new[] { "weights.bin", "best-weights.bin" })
                Assert.True(Entry(reference, entry).AsSpan().SequenceEqual(Entry(interrupted, entry)), $"round {rounds}: {entry} differs from the uninterrupted run");
        }
        output.WriteLine($"{killed} kills in {rounds} rounds, {runs} runs in all; every round ended with the uninterrupted result: " +
            $"best epoch {a.BestEpoch}, best validation loss {a.BestValidationLoss:R}, test accuracy {a.TestAccuracy:R}");
    }

    private static TrainingSummary Summary(string dir) =>
        JsonSerializer.Deserialize<TrainingSummary>(File.ReadAllText(Path.Combine(dir, CrnnTrainer.SummaryFileName)),
            new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase })!;

    private static byte[] Entry(string dir, string name)
    {
        using var zip = ZipFile.OpenRead(Path.Combine(dir, CrnnTrainer.CheckpointFileName));
        using var s = zip.GetEntry(name)!.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    private static string ReadEpochs(string dir)
    {
        string ckpt = Path.Combine(dir, CrnnTrainer.CheckpointFileName);
        return File.Exists(ckpt) ? TrainingCheckpoint.ReadState(ckpt).EpochsCompleted.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
    }

    /// <summary>Every output file parses; the only temporaries are the killed process's (the next run removes them).</summary>
    private static void AssertEveryFileParses(string dir, int? allowTemporariesOf)
    {
        if (!Directory.Exists(dir)) return;
        foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            string name = Path.GetFileName(file);
            if (name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                Assert.True(allowTemporariesOf is int pid && name.Contains($".{pid}.", StringComparison.Ordinal), $"left-over temporary {name}");
                continue;
            }
            switch (Path.GetExtension(name))
            {
                case ".json": using (JsonDocument.Parse(File.ReadAllBytes(file))) { } break;
                case ".ckpt": TrainingCheckpoint.ReadState(file); break;
                case ".png": using (var bmp = SKBitmap.Decode(file)) Assert.True(bmp is not null, $"{name} is not a PNG"); break;
                case ".onnx": using (CrnnOnnxModel.Load(file)) { } break;
                default: Assert.Fail($"unexpected file {name}"); break;
            }
        }
    }
}
