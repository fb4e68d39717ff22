using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Model;
using Crnn.MLNet.Training.Training;

namespace Crnn.MLNet.Training.Tests.Training;

/// <summary>Behaviour of the trainer on a few thousand real MNIST images with a tiny model (seconds each).</summary>
[Collection(MnistCollection.Name)]
public sealed class TrainerTests : IDisposable
{
    private readonly MnistFixture mnist;
    private readonly string root = Path.Combine(Path.GetTempPath(), $"crnn-trainer-{Guid.NewGuid():N}");

    public TrainerTests(MnistFixture mnist) => this.mnist = mnist;

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private static CrnnArchitecture Tiny(RecurrentKind kind = RecurrentKind.Lstm) =>
        new(10, [8, 16, 24], convsPerBlock: 1, recurrent: kind, recurrentHidden: 24);

    private string Dir(string name) => Path.Combine(root, name);

    [MnistFact]
    public void ShortRunLearnsWellAboveChance()
    {
        var options = new TrainingOptions(epochs: 4, batchSize: 32, warmupEpochs: 0.3, limit: 3000, seed: 1, threads: 2);
        var result = new CrnnTrainer(options, Tiny()).Train(mnist.Train, null, Dir("learn"));

        var history = result.State.History;
        Assert.Equal(4, history.Count);
        Assert.True(history[^1].TrainLoss < history[0].TrainLoss * 0.7, $"train loss {history[0].TrainLoss} -> {history[^1].TrainLoss} did not fall");
        // 600 validation images: chance is 10%; 80% cannot happen by luck (p < 1e-300).
        Assert.Equal(600, result.Summary.ValidationImages);
        Assert.True(result.Summary.ValidationAccuracy > 0.80, $"validation accuracy {result.Summary.ValidationAccuracy}");
        foreach (var file in new[] { CrnnTrainer.CheckpointFileName, CrnnTrainer.HistoryFileName, CrnnTrainer.SummaryFileName, TrainingPlots.LossFileName, TrainingPlots.AccuracyFileName })
            Assert.True(new FileInfo(Path.Combine(Dir("learn"), file)).Length > 0, file);
        Assert.Empty(Directory.GetFiles(Dir("learn"), "*.tmp"));
    }

    [MnistFact]
    public void TestSetIsEvaluatedOnceAtTheEndWithBestWeights()
    {
        var options = new TrainingOptions(epochs: 2, batchSize: 32, warmupEpochs: 0.3, limit: 2000, seed: 5, threads: 2);
        var test = mnist.Test.Take(1000);
        var result = new CrnnTrainer(options, Tiny()).Train(mnist.Train, test, Dir("test"));
        var reference = CrnnTrainer.Evaluate(result.Model, test, Enumerable.Range(0, test.Count).ToArray(),
            result.State.NormalizationMean, result.State.NormalizationStd);
        Assert.Equal(reference.Accuracy, result.Summary.TestAccuracy);
        Assert.Equal(1000, result.Summary.TestImages);
        Assert.True(result.Summary.TestAccuracy > 0.5);
    }

    [MnistFact]
    public void SameSeedGivesSameWeights()
    {
        var options = new TrainingOptions(epochs: 1, batchSize: 64, limit: 1000, seed: 11, threads: 2);
        var a = new CrnnTrainer(options, Tiny(RecurrentKind.Gru)).Train(mnist.Train, null, Dir("a"));
        var b = new CrnnTrainer(options, Tiny(RecurrentKind.Gru)).Train(mnist.Train, null, Dir("b"));
        Assert.Equal(a.State.BestValidationLoss, b.State.BestValidationLoss);
        Assert.Equal(TrainingCheckpoint.WeightsToBytes(a.Model), TrainingCheckpoint.WeightsToBytes(b.Model));

        var c = new CrnnTrainer(new TrainingOptions(epochs: 1, batchSize: 64, limit: 1000, seed: 12, threads: 2), Tiny(RecurrentKind.Gru))
            .Train(mnist.Train, null, Dir("c"));
        Assert.NotEqual(a.State.BestValidationLoss, c.State.BestValidationLoss);
    }

    [MnistFact]
    public void ResumeEndsWhereAnUninterruptedRunEnds()
    {
        var options = new TrainingOptions(epochs: 3, batchSize: 64, limit: 1200, seed: 3, threads: 2, patience: 10);
        var full = new CrnnTrainer(options, Tiny()).Train(mnist.Train, null, Dir("full"));

        // Interrupt after the first epoch's checkpoint, as a killed process would.
        using var cts = new CancellationTokenSource();
        var stopAfterEpoch1 = new SyncProgress(p => { if (p.Phase == TrainingPhase.EpochEnd && p.Epoch == 1) cts.Cancel(); });
        Assert.Throws<OperationCanceledException>(() =>
            new CrnnTrainer(options, Tiny()).Train(mnist.Train, null, Dir("cut"), progress: stopAfterEpoch1, cancellationToken: cts.Token));
        Assert.Equal(1, TrainingCheckpoint.ReadState(Path.Combine(Dir("cut"), CrnnTrainer.CheckpointFileName)).EpochsCompleted);

        var resumed = new CrnnTrainer(options, Tiny()).Train(mnist.Train, null, Dir("cut"), resume: true);
        Assert.Equal(3, resumed.State.History.Count);
        Assert.Equal(full.State.BestValidationLoss, resumed.State.BestValidationLoss, 1e-5);
        Assert.Equal(TrainingCheckpoint.WeightsToBytes(full.Model), TrainingCheckpoint.WeightsToBytes(resumed.Model));
    }

    [MnistFact]
    public void ResumeFromAnotherRunIsRefusedAndLeavesTheCheckpointIntact()
    {
        var options = new TrainingOptions(epochs: 1, batchSize: 64, limit: 500, seed: 3, threads: 2);
        new CrnnTrainer(options, Tiny()).Train(mnist.Train, null, Dir("other"));
        string ckpt = Path.Combine(Dir("other"), CrnnTrainer.CheckpointFileName);
        byte[] before = File.ReadAllBytes(ckpt);

        var e = Assert.Throws<InvalidOperationException>(() =>
            new CrnnTrainer(options, Tiny(RecurrentKind.Gru)).Train(mnist.Train, null, Dir("other"), resume: true));
        Assert.Contains("architecture", e.Message);
        Assert.Contains(ckpt, e.Message);

        var again = Assert.Throws<IOException>(() => new CrnnTrainer(options, Tiny()).Train(mnist.Train, null, Dir("other")));
        Assert.Contains("--resume", again.Message);
        Assert.Equal(before, File.ReadAllBytes(ckpt));
    }

    [MnistFact]
    public void CorruptOrMissingCheckpointGivesAClearError()
    {
        var options = new TrainingOptions(epochs: 1, limit: 500, threads: 2);
        var missing = Assert.Throws<FileNotFoundException>(() => new CrnnTrainer(options, Tiny()).Train(mnist.Train, null, Dir("none"), resume: true));
        Assert.Contains("checkpoint not found", missing.Message);

        Directory.CreateDirectory(Dir("corrupt"));
        string ckpt = Path.Combine(Dir("corrupt"), CrnnTrainer.CheckpointFileName);
        File.WriteAllBytes(ckpt, [1, 2, 3, 4, 5]);
        var corrupt = Assert.Throws<InvalidDataException>(() => new CrnnTrainer(options, Tiny()).Train(mnist.Train, null, Dir("corrupt"), resume: true));
        Assert.Contains(ckpt, corrupt.Message);
        Assert.Contains("not a Crnn.MLNet checkpoint", corrupt.Message);
    }

    [Fact]
    public void BadOptionsAreRejectedWithTheirName()
    {
        Assert.Equal("epochs", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions(epochs: 0)).ParamName);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions(learningRate: -1)).ParamName);
        Assert.Equal("validationFraction", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions(validationFraction: 1)).ParamName);
        Assert.Equal("widths", Assert.Throws<ArgumentOutOfRangeException>(() => new CrnnArchitecture(10, [8, 8, 8, 8, 8])).ParamName);
        Assert.Equal("classCount", Assert.Throws<ArgumentOutOfRangeException>(() => new CrnnArchitecture(1)).ParamName);
    }

    [MnistFact]
    public void ArchitectureMustFitTheDataset()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new CrnnTrainer(new TrainingOptions(limit: 100), new CrnnArchitecture(47)).Train(mnist.Train, null, Dir("mismatch")));
        Assert.Contains("47 classes", e.Message);
    }

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
