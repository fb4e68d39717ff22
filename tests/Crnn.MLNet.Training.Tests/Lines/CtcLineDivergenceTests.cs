using System.Text.Json;
using Crnn.MLNet.Training.Lines;
using Crnn.MLNet.Training.Model;
using Crnn.MLNet.Training.Tests.Export;
using Crnn.MLNet.Training.Tests.Training;
using Crnn.MLNet.Training.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace Crnn.MLNet.Training.Tests.Lines;

/// <summary>A line run whose numbers blow up stops with <see cref="TrainingDivergedException"/> and keeps its last checkpoint.</summary>
public sealed class CtcLineDivergenceTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static CrnnArchitecture Tiny() => new(11, [8, 16, 32], convsPerBlock: 1, recurrentHidden: 32, inputWidth: 32);

    private static LineTrainingOptions Short() => new(epochs: 3, linesPerEpoch: 256, batchSize: 32, learningRate: 3e-3, warmupEpochs: 0.2,
        validationLines: 50, testLines: 0, seed: 3, synthesis: new LineSynthesisOptions(minLength: 1, maxLength: 3), threads: 2);

    /// <remarks>
    /// The line trainer's Adam moves each weight by about the learning rate a step, too little to overflow within a
    /// test's few epochs at any allowed rate. So the blow-up is set up as it happens in practice: a checkpoint whose
    /// weights are still finite (so it was written) but so large that the next step overflows. Here: one good epoch,
    /// then its current classifier weights are raised to near float's maximum before the run is resumed.
    /// </remarks>
    [Fact]
    public void DivergenceAfterAResumeKeepsTheCheckpointAndHistory()
    {
        string dir = temp.Path, checkpoint = Path.Combine(dir, CtcLineTrainer.CheckpointFileName);
        var data = TinyDigits.Create();
        using (var cts = new CancellationTokenSource())
        {
            var stopAfterEpoch1 = new SyncProgress<LineTrainingProgress>(p => { if (p.Phase == TrainingPhase.EpochEnd) cts.Cancel(); });
            Assert.ThrowsAny<OperationCanceledException>(() =>
                new CtcLineTrainer(Short(), Tiny()).Train(data, null, dir, progress: stopAfterEpoch1, cancellationToken: cts.Token));
        }
        RaiseClassifierWeights(checkpoint, 3e38f);
        byte[] written = File.ReadAllBytes(checkpoint);
        string history = File.ReadAllText(Path.Combine(dir, CtcLineTrainer.HistoryFileName));

        var e = Assert.Throws<TrainingDivergedException>(() => new CtcLineTrainer(Short(), Tiny()).Train(data, null, dir, resume: true));
        output.WriteLine(e.Message);

        Assert.Equal((2, 1, e.StepsPerEpoch + 1L), (e.Epoch, e.Step, e.GlobalStep));
        Assert.Equal(DivergedQuantity.Loss, e.Quantity);
        Assert.Contains($"the training loss became NaN at epoch 2, step 1/{e.StepsPerEpoch} (global step {e.StepsPerEpoch + 1},", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal((checkpoint, 1), (e.LastCheckpointPath, e.LastCheckpointEpoch));
        Assert.Contains($"{checkpoint} (epoch 1)", e.Message);

        // Nothing was rewritten: the checkpoint still loads (its best weights are the good epoch's), history.json parses.
        Assert.Equal(written, File.ReadAllBytes(checkpoint));
        var (best, state) = LineCheckpoint.LoadModel(checkpoint);
        Assert.Equal(1, state.EpochsCompleted);
        Assert.Null(FiniteChecks.FirstNonFiniteWeight(best));
        Assert.Equal(history, File.ReadAllText(Path.Combine(dir, CtcLineTrainer.HistoryFileName)));
        var records = JsonSerializer.Deserialize<List<LineEpochRecord>>(history, TrainingCheckpoint.Json);
        Assert.Equal(1, Assert.Single(records!).Epoch);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    // Rewrites the checkpoint as a run would have written it, with every current classifier weight set to value.
    private static void RaiseClassifierWeights(string checkpoint, float value)
    {
        var (model, state) = LineCheckpoint.LoadModel(checkpoint, best: false);
        using (model)
        {
            var optimizer = torch.optim.Adam(model.parameters());
            byte[] bestWeights = LineCheckpoint.Restore(checkpoint, model, optimizer);
            using (torch.no_grad())
                model.get_parameter("classifier.weight")!.fill_(value);
            LineCheckpoint.Save(checkpoint, state, model, bestWeights, optimizer);
        }
    }
}
