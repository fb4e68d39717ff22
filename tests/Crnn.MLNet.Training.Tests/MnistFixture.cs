using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Training.Tests;

/// <summary>Real MNIST, loaded once per test run from <c>CRNN_DATA_DIR</c>.</summary>
public sealed class MnistFixture
{
    private readonly Lazy<CharacterDataset> train = new(() => Load(DatasetSplit.Train));
    private readonly Lazy<CharacterDataset> test = new(() => Load(DatasetSplit.Test));

    public CharacterDataset Train => train.Value;
    public CharacterDataset Test => test.Value;

    private static CharacterDataset Load(DatasetSplit split) =>
        DatasetLoader.Load(new DatasetRequest("mnist", Environment.GetEnvironmentVariable("CRNN_DATA_DIR"), AllowDownload: false), split);
}

[CollectionDefinition(Name)]
public sealed class MnistCollection : ICollectionFixture<MnistFixture>
{
    public const string Name = "MNIST";
}
