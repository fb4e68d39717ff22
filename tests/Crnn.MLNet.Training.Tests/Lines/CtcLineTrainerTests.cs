using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Lines;
using Crnn.MLNet.Training.Model;
using Crnn.MLNet.Training.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace Crnn.MLNet.Training.Tests.Lines;

/// <summary>Behaviour of the CTC line trainer with a tiny model on short lines from a few thousand MNIST digits.</summary>
[Collection(MnistCollection.Name)]
public sealed class CtcLineTrainerTests(MnistFixture mnist, ITestOutputHelper output) : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"crnn-lines-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private static CrnnArchitecture Tiny() => new(11, [8, 16, 32], convsPerBlock: 1, recurrentHidden: 32, inputWidth: 32);

    private static LineTrainingOptions Short(int epochs, int seed = 1) => new(epochs: epochs, linesPerEpoch: 1600, batchSize: 32,
        learningRate: 3e-3, warmupEpochs: 0.2, validationLines: 200, testLines: 0, seed: seed,
        synthesis: new LineSynthesisOptions(minLength: 1, maxLength: 3), limit: 4000, threads: 2);

    private string Dir(string name) => Path.Combine(root, name);

    [MnistFact]
    public void ShortRunLearnsToReadLines()
    {
        var result = new CtcLineTrainer(Short(8), Tiny()).Train(mnist.Train, null, Dir("learn"));
        var history = result.State.History;
        foreach (var h in history)
            output.WriteLine($"epoch {h.Epoch}: train {h.TrainLoss:F3} val {h.ValidationLoss:F3} CER {h.ValidationCharacterErrorRate:P1} seq {h.ValidationSequenceAccuracy:P1} {h.LinesPerSecond:F0} lines/s");
        Assert.Equal(8, history.Count);
        Assert.True(history[^1].TrainLoss < history[0].TrainLoss * 0.7, $"train loss {history[0].TrainLoss} -> {history[^1].TrainLoss} did not fall");
        // From scratch, CTC first learns to say nothing (CER 100%), then to read. A guess of a 1-3 digit line is right
        // by chance 3.7% of the time on average; 12,800 lines of a tiny model reach about 28% exactly read (measured).
        Assert.True(result.State.BestValidationSequenceAccuracy > 0.15, $"validation sequence accuracy {result.State.BestValidationSequenceAccuracy:P1}");
        Assert.True(result.State.BestValidationCharacterErrorRate < 0.8, $"validation CER {result.State.BestValidationCharacterErrorRate:P1}");
        foreach (var file in new[] { CtcLineTrainer.CheckpointFileName, CtcLineTrainer.HistoryFileName, CtcLineTrainer.SummaryFileName })
            Assert.True(new FileInfo(Path.Combine(Dir("learn"), file)).Length > 0, file);
        Assert.Empty(Directory.GetFiles(Dir("learn"), "*.tmp"));
    }

    [MnistFact]
    public void ResumedRunEndsWhereAnUninterruptedOneDoes()
    {
        var whole = new CtcLineTrainer(Short(2, seed: 4), Tiny()).Train(mnist.Train, null, Dir("whole"));
        // Stop after one epoch (epochs: 1), then resume with the full options: the checkpoint keeps its plan.
        var first = new CtcLineTrainer(Short(2, seed: 4), Tiny());
        using (var cts = new CancellationTokenSource())
        {
            var progress = new LineProgress(p => { if (p.Phase == TrainingPhase.EpochEnd) cts.Cancel(); });
            Assert.ThrowsAny<OperationCanceledException>(() => first.Train(mnist.Train, null, Dir("split"), progress: progress, cancellationToken: cts.Token));
        }
        Assert.Equal(1, LineCheckpoint.ReadState(Path.Combine(Dir("split"), CtcLineTrainer.CheckpointFileName)).EpochsCompleted);
        var resumed = new CtcLineTrainer(Short(2, seed: 4), Tiny()).Train(mnist.Train, null, Dir("split"), resume: true);
        Assert.Equal(whole.State.History.Select(h => h.ValidationLoss), resumed.State.History.Select(h => h.ValidationLoss));
        Assert.Equal(TrainingCheckpoint.ModuleToBytes(whole.Model), TrainingCheckpoint.ModuleToBytes(resumed.Model));
    }

    [MnistFact]
    public void ClassifierCheckpointIsNotALineCheckpoint()
    {
        var classifier = new CrnnTrainer(new TrainingOptions(epochs: 1, batchSize: 64, limit: 500, threads: 2),
            new CrnnArchitecture(10, [8, 16, 32], convsPerBlock: 1, recurrentHidden: 32)).Train(mnist.Train, null, Dir("classifier"));
        Assert.False(LineCheckpoint.IsLineCheckpoint(classifier.CheckpointPath));
        var e = Assert.Throws<InvalidDataException>(() => LineCheckpoint.ReadState(classifier.CheckpointPath));
        Assert.Contains("classifier checkpoint, not a line model's", e.Message);
        Assert.Contains(classifier.CheckpointPath, e.Message);

        // ... but it can seed a line model of the same shape: its CNN and recurrent weights are copied.
        var seeded = new CtcLineTrainer(Short(1), Tiny()).Train(mnist.Train, null, Dir("seeded"), initFrom: classifier.CheckpointPath);
        Assert.Equal(Path.GetFileName(classifier.CheckpointPath), seeded.State.InitializedFrom);
        Assert.Equal(classifier.State.NormalizationMean, seeded.State.NormalizationMean);
    }

    [MnistFact]
    public void ClassifierSeedMayKnowMoreCharactersButNotFewer()
    {
        var classifier = new CrnnTrainer(new TrainingOptions(epochs: 1, batchSize: 64, limit: 500, threads: 2),
            new CrnnArchitecture(10, [8, 16, 32], convsPerBlock: 1, recurrentHidden: 32)).Train(mnist.Train, null, Dir("classifier"));
        // Digits 0-4 only: the classifier (0-9) gives its features to a 5-character line model.
        var lowDigits = mnist.Train.Subset(Enumerable.Range(0, 8000).Where(i => mnist.Train.Labels[i] < 5).ToArray());
        var fewer = new CharacterDataset("low-digits", lowDigits.Images, lowDigits.Labels, 28, 28, ["0", "1", "2", "3", "4"]);
        var arch = new CrnnArchitecture(6, [8, 16, 32], convsPerBlock: 1, recurrentHidden: 32, inputWidth: 32);
        var seeded = new CtcLineTrainer(Short(1), arch).Train(fewer, null, Dir("fewer"), initFrom: classifier.CheckpointPath);
        Assert.Equal(classifier.State.NormalizationMean, seeded.State.NormalizationMean);

        // The same images called letters: the classifier never learnt them.
        var letters = new CharacterDataset("letters", lowDigits.Images, lowDigits.Labels, 28, 28, ["A", "1", "B", "3", "4"]);
        var e = Assert.Throws<ArgumentException>(() => new CtcLineTrainer(Short(1), arch).Train(letters, null, Dir("letters"), initFrom: classifier.CheckpointPath));
        Assert.Contains("was not trained on 'A', 'B' of dataset 'letters'", e.Message);
    }

    [MnistFact]
    public void LineCheckpointSeedsEveryWeightForFineTuning()
    {
        var first = new CtcLineTrainer(Short(1), Tiny()).Train(mnist.Train, null, Dir("first"));
        torch.manual_seed(99);
        using var fresh = new CrnnLineModel(Tiny());
        Assert.NotEqual(TrainingCheckpoint.ModuleToBytes(first.Model), TrainingCheckpoint.ModuleToBytes(fresh));
        var copied = fresh.CopyMatchingWeightsFrom(first.Model);
        Assert.Equal(TrainingCheckpoint.ModuleToBytes(first.Model), TrainingCheckpoint.ModuleToBytes(fresh));
        Assert.Contains("classifier.weight", copied);

        var tuned = new CtcLineTrainer(Short(1, seed: 2), Tiny()).Train(mnist.Train, null, Dir("tuned"), initFrom: first.CheckpointPath);
        Assert.Equal(CtcLineTrainer.CheckpointFileName, tuned.State.InitializedFrom);
        Assert.Equal(first.State.NormalizationMean, tuned.State.NormalizationMean);
    }

    private sealed class LineProgress(Action<LineTrainingProgress> report) : IProgress<LineTrainingProgress>
    {
        public void Report(LineTrainingProgress value) => report(value);
    }
}
