using System.Text.RegularExpressions;
using Crnn.MLNet.Tests.Support;
using Crnn.MLNet.Transforms;
using Microsoft.ML;

namespace Crnn.MLNet.Tests.Reliability;

[CollectionDefinition(nameof(SessionLeakTests), DisableParallelization = true)]
public sealed class SessionLeakCollection;

/// <summary>
/// Saving and loading close the ONNX Runtime sessions they open. ML.NET's OnnxTransformer keeps its model in a temporary
/// file (random name in the temp folder) open until it is disposed, so open files of that kind count live sessions
/// (Linux: /proc/self/fd). Runs alone: other tests open such files too.
/// </summary>
[Collection(nameof(SessionLeakTests))]
public class SessionLeakTests
{
    private static readonly Regex RandomName = new(@"^[a-z0-9]{8}\.[a-z0-9]{3}$");

    /// <summary>The temporary model files open now (other tests' sessions may close theirs meanwhile: compare sets).</summary>
    private static HashSet<string> OpenTempModels()
    {
        string temp = Path.GetFullPath(Path.GetTempPath());
        var open = new HashSet<string>(StringComparer.Ordinal);
        foreach (string fd in Directory.GetFiles("/proc/self/fd"))
        {
            string? target;
            try { target = new FileInfo(fd).LinkTarget; } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
            if (target is not null && Path.GetDirectoryName(target) is { } dir && Path.GetFullPath(dir + "/") == temp && RandomName.IsMatch(Path.GetFileName(target)))
                open.Add(target);
        }
        return open;
    }

    [Fact]
    public void Save_and_CrnnModel_Load_leave_no_session_open()
    {
        if (!OperatingSystem.IsLinux()) return; // the count reads /proc/self/fd
        using var set = new DigitSet(count: 4);
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(set.Paths.Select(p => new PathRow { Image = p }));
        var model = ml.Transforms.CopyColumns("Copy", "Image").AppendCrnnClassifier(ml, set.ModelPath).Fit(data);
        string zip = set.Dir.File("pipeline.zip");
        ml.Model.Save(model, data.Schema, zip);

        // The check can see a session: a stock load holds one open until disposed.
        var before = OpenTempModels();
        var stock = ml.Model.Load(zip, out _);
        Assert.NotEmpty(OpenTempModels().Except(before));
        (stock as IDisposable)?.Dispose();
        Assert.Empty(OpenTempModels().Except(before));

        for (int i = 0; i < 5; i++)
        {
            ml.Model.Save(model, data.Schema, new MemoryStream());                 // fits an OnnxTransformer to save it
            using var batched = (IDisposable)CrnnModel.Load(ml, zip, out _);       // replaces the loaded OnnxTransformer
        }
        Assert.Empty(OpenTempModels().Except(before));
        (model as IDisposable)?.Dispose();
    }
}
