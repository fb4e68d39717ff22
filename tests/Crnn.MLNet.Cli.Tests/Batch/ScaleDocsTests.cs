using System.Diagnostics;
using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Cli.Tests.Batch;

/// <summary>
/// docs/scale.md and the files in docs/scale/: the page shows the Kubernetes Job and the Slurm script as they are, the
/// scripts pass <c>bash -n</c>, and merge-results.sh merges real shares and refuses an unfinished one.
/// </summary>
public sealed class ScaleDocsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Repo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Crnn.MLNet.sln"))) return dir.FullName;
        throw new InvalidOperationException("the repository root (Crnn.MLNet.sln) is not above the tests");
    }

    private static (int Code, string Out, string Err) Shell(string file, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(file);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    private static bool Has(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)));

    [Theory]
    [InlineData("crnn-indexed-job.yaml")]
    [InlineData("crnn-array.sbatch")]
    public void The_page_shows_each_file_as_it_is(string name)
    {
        string page = File.ReadAllText(Path.Combine(Repo(), "docs", "scale.md"));
        string file = File.ReadAllText(Path.Combine(Repo(), "docs", "scale", name));
        Assert.Contains(file, page);
    }

    [Theory]
    [InlineData("crnn-array.sbatch")]
    [InlineData("merge-results.sh")]
    public void Scripts_parse(string name)
    {
        if (!Has("bash")) return;
        var (code, _, err) = Shell("-n", Path.Combine(Repo(), "docs", "scale", name));
        Assert.True(code == 0, err);
    }

    [Fact]
    public void Merge_results_merges_finished_shares_and_refuses_an_unfinished_one()
    {
        if (!Has("bash") || !Has("python3")) return;
        string model = TestModels.WriteTemp(_dir, TestModels.Build());
        var paths = new List<string>();
        for (int i = 0; i < 12; i++)
        {
            string name = $"img/{i:D2}.png";
            Directory.CreateDirectory(_dir.File("img"));
            using var bmp = TestImages.Text(TestModels.Digits[i % 10], 40, 50, size: 36);
            TestImages.Save(bmp, _dir.File(name));
            paths.Add(name);
        }
        string list = _dir.File("list.txt");
        File.WriteAllLines(list, ["# twelve", .. paths]);
        string prefix = _dir.File("predict");
        for (int i = 0; i < 3; i++)
            Assert.Equal(0, CrnnCli.Run(["predict", "--model", model, "--input", list, "--output", $"{prefix}-{i}-of-3.jsonl", "--shard", $"{i}/3"], TextWriter.Null, TextWriter.Null));

        string script = Path.Combine(Repo(), "docs", "scale", "merge-results.sh"), merged = _dir.File("all.jsonl");
        var (code, stdout, err) = Shell(script, prefix, "3", merged, list);
        Assert.True(code == 0, err);
        Assert.Contains("12 rows from 3 shares", stdout);
        Assert.Equal(paths.Order(), ResultRows.Read(merged).Select(ResultRows.Path).Order());

        string state = $"{prefix}-1-of-3.jsonl.state.json";
        File.WriteAllText(state, File.ReadAllText(state).Replace("\"finished\": true", "\"finished\": false"));
        (code, _, err) = Shell(script, prefix, "3", _dir.File("again.jsonl"), list);
        Assert.NotEqual(0, code);
        Assert.Contains("share 1 is not finished", err);
        Assert.False(File.Exists(_dir.File("again.jsonl")));
    }
}
