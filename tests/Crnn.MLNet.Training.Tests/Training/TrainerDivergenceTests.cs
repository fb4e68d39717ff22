using System.Text.Json;
using Crnn.MLNet.Training.Model;
using Crnn.MLNet.Training.Tests.Export;
using Crnn.MLNet.Training.Training;
using Xunit.Abstractions;

namespace Crnn.MLNet.Training.Tests.Training;

/// <summary>
/// A classifier run whose numbers blow up stops with <see cref="TrainingDivergedException"/> and leaves what the last
/// good epoch wrote as it was. The blow-up is honest: AdamW multiplies every weight by (1 - rate x decay) each step,
/// which at the largest allowed rate (10) and a huge but allowed decay is -4 or less, so the weights grow
/// geometrically until floats overflow.
/// </summary>
public sealed class TrainerDivergenceTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static CrnnArchitecture Tiny() => new(10, [8, 16, 24], convsPerBlock: 1, recurrentHidden: 24);

    private static TrainingOptions Exploding(double weightDecay, int batchSize) => new(epochs: 10, batchSize: batchSize, learningRate: 10,
        optimizer: OptimizerKind.AdamW, weightDecay: weightDecay, schedule: LearningRateScheduleKind.Constant, gradientClipNorm: 0,
        patience: 10, augmentation: AugmentationOptions.None, seed: 1, threads: 2);

    [Fact]
    public void DivergenceAfterGoodEpochsKeepsTheirCheckpointAndHistory()
    {
        string dir = temp.Path, checkpoint = Path.Combine(dir, CrnnTrainer.CheckpointFileName);
        byte[]? lastWritten = null;
        var progress = new SyncProgress<TrainingProgress>(p => { if (p.Phase == TrainingPhase.EpochEnd) lastWritten = File.ReadAllBytes(checkpoint); });

        var e = Assert.Throws<TrainingDivergedException>(() =>
            new CrnnTrainer(Exploding(weightDecay: 0.5, batchSize: 32), Tiny()).Train(TinyDigits.Create(), null, dir, progress: progress));
        output.WriteLine(e.Message);

        // Where, what, and what was kept, on one line.
        Assert.True(e.Epoch >= 2, $"diverged in epoch {e.Epoch}: no good epoch before it to keep");
        Assert.Contains($"epoch {e.Epoch}, step {e.Step}/{e.StepsPerEpoch} (global step {e.GlobalStep},", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(checkpoint, e.LastCheckpointPath);
        Assert.Equal(e.Epoch - 1, e.LastCheckpointEpoch);
        Assert.Contains($"{checkpoint} (epoch {e.Epoch - 1})", e.Message);
        Assert.Contains("crnn info", e.Message);

        // The last good checkpoint is byte for byte what its epoch wrote, loads, and holds finite weights.
        Assert.NotNull(lastWritten);
        Assert.Equal(lastWritten, File.ReadAllBytes(checkpoint));
        var (current, state) = TrainingCheckpoint.LoadModel(checkpoint, best: false);
        Assert.Equal(e.Epoch - 1, state.EpochsCompleted);
        Assert.Null(FiniteChecks.FirstNonFiniteWeight(current));
        var history = JsonSerializer.Deserialize<List<EpochRecord>>(File.ReadAllText(Path.Combine(dir, CrnnTrainer.HistoryFileName)), TrainingCheckpoint.Json);
        Assert.Equal(Enumerable.Range(1, e.Epoch - 1), history!.Select(h => h.Epoch));
        Assert.False(File.Exists(Path.Combine(dir, CrnnTrainer.SummaryFileName)));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void DivergenceInTheFirstEpochStopsAtTheStepAndWritesNothing()
    {
        // Small batches: many steps an epoch, so the weights overflow mid-epoch and the next step's loss is NaN.
        string dir = temp.Path;
        var e = Assert.Throws<TrainingDivergedException>(() =>
            new CrnnTrainer(Exploding(weightDecay: 0.99, batchSize: 4), Tiny()).Train(TinyDigits.Create(), null, dir));
        output.WriteLine(e.Message);

        Assert.Equal(1, e.Epoch);
        Assert.True(e.Quantity is DivergedQuantity.Loss or DivergedQuantity.Gradient, $"caught as {e.Quantity}, not at a step");
        Assert.True(e.Step < e.StepsPerEpoch, $"caught at step {e.Step}/{e.StepsPerEpoch}, not mid-epoch");
        Assert.Equal(e.Step, e.GlobalStep);
        Assert.Contains($"at epoch 1, step {e.Step}/{e.StepsPerEpoch} (global step {e.Step},", e.Message);
        Assert.Contains(e.Quantity == DivergedQuantity.Loss ? "the training loss became" : "the gradient norm became", e.Message);
        Assert.Null(e.LastCheckpointPath);
        Assert.Contains("No checkpoint had been written yet", e.Message);
        Assert.Empty(Directory.GetFiles(dir));
    }
}
