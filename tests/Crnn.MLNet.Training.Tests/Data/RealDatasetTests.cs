using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Training.Tests.Data;

/// <summary>The real datasets under <c>CRNN_DATA_DIR</c>; skipped when it is not set.</summary>
public class RealDatasetTests
{
    // The published MNIST class counts.
    private static readonly int[] MnistTrainCounts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
    private static readonly int[] MnistTestCounts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

    [MnistFact]
    public void MnistHasThePublishedCounts()
    {
        var request = new DatasetRequest("mnist", DataDir: TestData.Dir, AllowDownload: false);
        var train = DatasetLoader.Load(request, DatasetSplit.Train);
        var test = DatasetLoader.Load(request, DatasetSplit.Test);

        Assert.Equal("mnist", train.Name);
        Assert.Equal((60_000, 28, 28), (train.Count, train.Height, train.Width));
        Assert.Equal(10_000, test.Count);
        Assert.Equal(MnistTrainCounts, train.ClassCounts());
        Assert.Equal(MnistTestCounts, test.ClassCounts());
        Assert.Equal("7", train.LabelNames[7]);
    }

    [MnistFact]
    public void MnistContentMatchesTheKnownChecksums()
    {
        var location = DatasetLoader.Locate(new DatasetRequest("mnist", TestData.Dir, AllowDownload: false));
        foreach (var split in new[] { DatasetSplit.Train, DatasetSplit.Test })
        {
            var files = location.Files(split)!;
            foreach (string path in new[] { files.ImagesPath, files.LabelsPath })
                Assert.True(location.Descriptor!.Checksums[Path.GetFileName(path)].Matches(path, out string actual), $"{path}: {actual}");
        }
    }

    [MnistFact]
    public void MnistFolderWorksAsACustomFolder()
    {
        var test = DatasetLoader.Load(new DatasetRequest(Path.Combine(TestData.Dir!, "mnist")), DatasetSplit.Test);
        Assert.Equal(MnistTestCounts, test.ClassCounts());
        Assert.Equal("mnist", test.Name);
    }

    [RealDataFact("emnist47")]
    public void Emnist47IsACustomFolderWithItsMapping()
    {
        var request = new DatasetRequest(Path.Combine(TestData.Dir!, "emnist47"));
        var location = DatasetLoader.Locate(request);
        var test = DatasetLoader.Load(location, DatasetSplit.Test);

        Assert.Equal(DataSource.CustomFolder, location.Source);
        Assert.Equal("emnist47", test.Name);
        Assert.Equal(23_265, test.Count);
        Assert.Equal(47, test.ClassCount);
        Assert.Equal(["0", "9", "A", "Z", "a", "t"], new[] { 0, 9, 10, 35, 36, 46 }.Select(i => test.LabelNames[i]));
        Assert.All(test.ClassCounts(), c => Assert.True(c > 0));
    }
}
