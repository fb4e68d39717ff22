using System.Text.Json;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Tests;

public class DataCommandTests : IDisposable
{
    private static readonly int[] MnistTrainCounts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
    private static readonly int[] MnistTestCounts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CrnnCli.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [RealDataFact("mnist")]
    public void InfoOnMnistPrintsThePublishedCounts()
    {
        var (exit, output, error) = Run("data", "info", "--dataset", "mnist");

        Assert.True(exit == 0, error);
        Assert.Contains("60,000 images of 28x28", output);
        Assert.Contains("10,000 images of 28x28", output);
        Assert.Contains("from CRNN_DATA_DIR", output);
        var rows = output.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(p => p.Length == 4 && p[0] == p[3]).ToArray();
        Assert.Equal(10, rows.Length);
        for (int c = 0; c < 10; c++)
        {
            Assert.Equal(MnistTrainCounts[c].ToString("N0", System.Globalization.CultureInfo.InvariantCulture), rows[c][1]);
            Assert.Equal(MnistTestCounts[c].ToString("N0", System.Globalization.CultureInfo.InvariantCulture), rows[c][2]);
        }
    }

    [RealDataFact("mnist")]
    public void InfoAsJsonHasCountsPerSplitAndClass()
    {
        string dataDir = Environment.GetEnvironmentVariable(DatasetLoader.DataDirEnvironmentVariable)!;
        var (exit, output, error) = Run("data", "info", "--dataset", "mnist", "--data", dataDir, "--json");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("mnist", root.GetProperty("name").GetString());
        Assert.Equal("dataDirectory", root.GetProperty("source").GetString());
        Assert.Equal(10, root.GetProperty("labels").GetArrayLength());
        var train = root.GetProperty("splits").GetProperty("train");
        Assert.Equal(60_000, train.GetProperty("count").GetInt32());
        Assert.Equal(MnistTrainCounts, train.GetProperty("classCounts").EnumerateArray().Select(e => e.GetInt32()));
        var test = root.GetProperty("splits").GetProperty("test");
        Assert.Equal(10_000, test.GetProperty("count").GetInt32());
        Assert.Equal(MnistTestCounts, test.GetProperty("classCounts").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void InfoOnACustomFolderShowsItsSplitsAndLabels()
    {
        string folder = _temp.Combine("letters");
        Directory.CreateDirectory(folder);
        IdxWriter.WriteImages(Path.Combine(folder, "test-images-idx3-ubyte.gz"), new byte[3 * 4], 3, 2, 2, gzip: true);
        IdxWriter.WriteLabels(Path.Combine(folder, "test-labels-idx1-ubyte.gz"), [0, 1, 1], gzip: true);
        File.WriteAllText(Path.Combine(folder, "mapping.txt"), "0 120\n1 121\n");

        var (exit, output, error) = Run("data", "info", "--dataset", folder);

        Assert.True(exit == 0, error);
        Assert.Contains("Dataset:  letters", output);
        Assert.Contains("custom dataset folder", output);
        Assert.Contains("3 images of 2x2", output);
        Assert.DoesNotContain("train ", output);
        Assert.Contains("    1          2  y", output);
    }

    [Fact]
    public void UnknownDatasetIsAOneLineUsageError()
    {
        var (exit, output, error) = Run("data", "info", "--dataset", "mnsit");

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith("crnn: error: unknown dataset 'mnsit'", error);
        Assert.Contains("emnist-balanced", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void MissingDataDirectoryIsAnError()
    {
        string missing = _temp.Combine("nope");
        var (exit, _, error) = Run("data", "info", "--dataset", "mnist", "--data", missing);
        Assert.Equal(1, exit);
        Assert.Contains(missing, error);
        Assert.Contains("does not exist", error);
    }

    [Fact]
    public void DatasetOptionIsRequired()
    {
        var (exit, _, error) = Run("data", "info");
        Assert.NotEqual(0, exit);
        Assert.Contains("--dataset", error);
    }
}
