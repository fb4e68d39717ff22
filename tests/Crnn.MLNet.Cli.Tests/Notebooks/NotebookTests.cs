using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Crnn.MLNet.Cli.Tests.Notebooks;

/// <summary>
/// Packs Crnn.MLNet and Crnn.MLNet.Training once for the notebook tests, from the build the tests run against, into a
/// temporary folder with a version of their own: NuGet caches packages by id and version, so a fixed version would let
/// a notebook load an older build from the cache. The notebooks find the folder through <c>CRNN_NOTEBOOK_PACKAGES</c>.
/// </summary>
public sealed class NotebookPackages : IDisposable
{
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    private static readonly string[] PackageIds = ["Crnn.MLNet", "Crnn.MLNet.Training"];

    public NotebookPackages()
    {
        var baseVersion = typeof(Crnn.MLNet.Transforms.CrnnModel).Assembly.GetName().Version!;
        Version = $"{baseVersion.Major}.{baseVersion.Minor}.{baseVersion.Build}-notebooks.{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Environment.ProcessId}";
        Folder = Directory.CreateTempSubdirectory("crnn-notebook-packages-").FullName;
        string root = NotebookRunner.RepoRoot;
        NotebookRunner.Exec(root, TimeSpan.FromMinutes(5), "tool", "restore");
        foreach (string id in PackageIds)
            NotebookRunner.Exec(root, TimeSpan.FromMinutes(5), "pack", Path.Combine("src", id, id + ".csproj"), "-c", Configuration,
                "--no-build", "-o", Folder, $"-p:Version={Version}");
    }

    /// <summary>The folder holding the two packages.</summary>
    public string Folder { get; }

    /// <summary>This run's package version, e.g. <c>0.1.0-notebooks.1764381234.4242</c>.</summary>
    public string Version { get; }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
        // The notebooks' restores copied this version into the NuGet cache; nothing will use it again.
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (string id in PackageIds)
        {
            string cached = Path.Combine(cache, id.ToLowerInvariant(), Version.ToLowerInvariant());
            try { if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>
/// Executes every notebook in <c>notebooks/</c> headless and fails on any failing cell. The executed copies go to
/// <c>artifacts/notebooks/</c> for inspection. The notebooks that evaluate or train read MNIST from <c>CRNN_DATA_DIR</c>
/// (CI sets it); without it they fail with a message saying so.
/// </summary>
/// <remarks>One class, so xUnit runs the notebooks one after the other.</remarks>
public sealed class NotebookTests(NotebookPackages packages, ITestOutputHelper output) : IClassFixture<NotebookPackages>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(20);

    /// <summary>The notebooks the project documents; a rename or removal must not silently shrink the test.</summary>
    private static readonly string[] Expected = ["01-quickstart", "02-evaluate", "03-train-and-export", "04-pipelines", "05-lines", "06-any-script", "07-real-crops", "08-fine-tune-lines"];

    /// <summary>The notebooks in <c>notebooks/</c>, by name (executed copies, <c>*.out.ipynb</c>, excluded).</summary>
    private static string[] NotebookNames() =>
        Directory.GetFiles(NotebookRunner.NotebooksFolder, "*.ipynb")
            .Where(path => !path.EndsWith(".out.ipynb", StringComparison.Ordinal))
            .Select(path => Path.GetFileNameWithoutExtension(path))
            .Order(StringComparer.Ordinal)
            .ToArray();

    public static TheoryData<string> Notebooks() => new(NotebookNames());

    [Fact]
    public void The_documented_notebooks_exist() =>
        Assert.Subset(NotebookNames().ToHashSet(), Expected.ToHashSet());

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_runs_without_a_failing_cell(string name)
    {
        // CRNN_NOTEBOOK_REPEAT=N runs each selected notebook N times in a row, stopping at the first failure (the long run
        // behind docs/reliability.md's notebook figures; CI runs each once).
        int repeat = int.TryParse(Environment.GetEnvironmentVariable("CRNN_NOTEBOOK_REPEAT"), out int r) && r > 1 ? r : 1;
        for (int i = 1; i <= repeat; i++)
        {
            var run = Run(Path.Combine(NotebookRunner.NotebooksFolder, name + ".ipynb"),
                Path.Combine(NotebookRunner.RepoRoot, "artifacts", "notebooks", repeat == 1 ? name + ".ipynb" : $"{name}.run{i}.ipynb"));
            Assert.True(run.Succeeded, $"run {i} of {repeat}: {run.Describe()}");
            Assert.True(run.CodeCells > 0, $"{name} has no code cells");
        }
    }

    [Fact]
    public void A_failing_cell_fails_the_run_and_is_reported()
    {
        // A copy of the quickstart in a temporary folder, its third code cell replaced by one that throws and the
        // cells after it dropped. The cells before it (setup) must still succeed.
        const int brokenCell = 3;
        using var temp = new TempFolder();
        var notebook = JsonNode.Parse(File.ReadAllText(Path.Combine(NotebookRunner.NotebooksFolder, "01-quickstart.ipynb")))!;
        var cells = notebook["cells"]!.AsArray();
        var code = NotebookRunner.CodeCells(notebook).ToList();
        Assert.True(code.Count > brokenCell, "the quickstart has fewer code cells than this test assumes");
        code[brokenCell - 1]["source"] = new JsonArray("// Deliberately broken by the notebook runner's test.\n",
            "throw new InvalidOperationException(\"deliberately broken cell\");");
        for (int i = cells.IndexOf(code[brokenCell - 1]) + 1; i < cells.Count;) cells.RemoveAt(i);
        string brokenPath = temp.Combine("01-quickstart-broken.ipynb");
        File.WriteAllText(brokenPath, notebook.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        var run = Run(brokenPath, temp.Combine("01-quickstart-broken.out.ipynb"));

        Assert.False(run.Succeeded, run.Describe());
        Assert.NotEqual(0, run.ExitCode);
        Assert.False(run.TimedOut, run.Describe());
        var error = Assert.Single(run.Errors);
        Assert.Equal(brokenCell, error.CodeCell);
        Assert.Contains("deliberately broken cell", error.Message, StringComparison.Ordinal);
    }

    private NotebookRun Run(string notebookPath, string outputPath)
    {
        var environment = new Dictionary<string, string> { ["CRNN_NOTEBOOK_PACKAGES"] = packages.Folder };
        // The kernel starts in the repository's notebooks folder, as an editor would start it; the notebooks find the
        // repository (models, samples) by walking up from there.
        var run = NotebookRunner.Run(notebookPath, NotebookRunner.NotebooksFolder, outputPath, environment, Timeout);
        output.WriteLine($"{Path.GetFileName(notebookPath)} with Crnn.MLNet {packages.Version}: {run.Elapsed.TotalSeconds:F0} s, exit code {run.ExitCode}, {run.Errors.Count} failing cell(s)");
        return run;
    }
}
