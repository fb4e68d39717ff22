using Crnn.MLNet.Training.Export;

namespace Crnn.MLNet.Training.Tests.Export;

/// <summary>An export writes the whole file or nothing, and never damages a file already at the path.</summary>
public class AtomicExportTests
{
    private sealed class AbortExport : Exception;

    /// <summary>The default architecture's ONNX file (about 3 MB) is written in several 1 MB chunks, so this aborts mid-write.</summary>
    private static SyncProgress<CrnnExportProgress> AbortWhileWriting(TempFolder folder, List<string[]> seen) => new(p =>
    {
        if (p.Stage != "writing") return;
        seen.Add(folder.FileNames());
        throw new AbortExport();
    });

    [Fact]
    public void ExportFailingMidWriteLeavesNoFileAndNoTempFile()
    {
        var arch = TestModels.Architecture("lstm");
        using var model = TestModels.Untrained(arch);
        var metadata = TestModels.Metadata(arch);
        Assert.True(CrnnOnnxExporter.ExportToBytes(model, metadata).Length > 2 * AtomicFile.ChunkSize);
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "model.onnx");
        var seen = new List<string[]>();

        Assert.Throws<AbortExport>(() => CrnnOnnxExporter.Export(model, metadata, path, AbortWhileWriting(folder, seen)));

        // At the failure a partial temp file existed (and only that); afterwards nothing is left.
        var during = Assert.Single(Assert.Single(seen));
        Assert.StartsWith(".model.onnx.", during);
        Assert.EndsWith(".tmp", during);
        Assert.Empty(folder.FileNames());
    }

    [Fact]
    public void ExistingFileIsIntactAfterAFailedExport()
    {
        var arch = TestModels.Architecture("lstm");
        using var model = TestModels.Untrained(arch);
        var metadata = TestModels.Metadata(arch);
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "model.onnx");
        byte[] old = "previous model"u8.ToArray();
        File.WriteAllBytes(path, old);

        Assert.Throws<AbortExport>(() => CrnnOnnxExporter.Export(model, metadata, path, AbortWhileWriting(folder, [])));
        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.onnx" }, folder.FileNames());

        Assert.Throws<ArgumentException>(() => CrnnOnnxExporter.Export(model, metadata with { Labels = TestModels.Digits[..9] }, path));
        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.onnx" }, folder.FileNames());
    }

    [Fact]
    public void SuccessfulExportReplacesAnExistingFile()
    {
        var arch = TestModels.Architecture("gru-3layer");
        using var model = TestModels.Untrained(arch);
        var metadata = TestModels.Metadata(arch);
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "model.onnx");
        File.WriteAllText(path, "previous model");
        CrnnOnnxExporter.Export(model, metadata, path);
        Assert.Equal(CrnnOnnxExporter.ExportToBytes(model, metadata), File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.onnx" }, folder.FileNames());
    }

    [Fact]
    public void ExportIntoAMissingFolderFailsWithoutCreatingIt()
    {
        var arch = TestModels.Architecture("gru-3layer");
        using var model = TestModels.Untrained(arch);
        using var folder = new TempFolder();
        string missing = Path.Combine(folder.Path, "missing");
        Assert.Throws<DirectoryNotFoundException>(() => CrnnOnnxExporter.Export(model, TestModels.Metadata(arch), Path.Combine(missing, "model.onnx")));
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void AtomicFileRemovesItsTempFileWhenAWriteFails()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "data.bin");
        var content = new byte[3 * AtomicFile.ChunkSize + 5];
        var progress = new List<long>();
        Assert.Throws<AbortExport>(() => AtomicFile.Write(path, content, written =>
        {
            progress.Add(written);
            if (written >= 2 * AtomicFile.ChunkSize) throw new AbortExport();
        }));
        Assert.Equal(new long[] { AtomicFile.ChunkSize, 2 * AtomicFile.ChunkSize }, progress);
        Assert.Empty(folder.FileNames());

        AtomicFile.Write(path, content);
        Assert.Equal(content.Length, new FileInfo(path).Length);
        Assert.Equal(new[] { "data.bin" }, folder.FileNames());
    }
}
