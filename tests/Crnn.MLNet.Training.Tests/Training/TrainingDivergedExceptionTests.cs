using Crnn.MLNet.Training.Training;

namespace Crnn.MLNet.Training.Tests.Training;

/// <summary>The one-line message of a diverged run: where, what, what was kept, what to try.</summary>
public sealed class TrainingDivergedExceptionTests
{
    [Fact]
    public void MessageNamesTheStepTheQuantityTheCheckpointAndWhatToTry()
    {
        var e = new TrainingDivergedException(DivergedQuantity.Gradient, double.PositiveInfinity, epoch: 3, step: 7, stepsPerEpoch: 50,
            globalStep: 107, learningRate: 0.002, lastCheckpointPath: Path.Combine("runs", "mnist", "checkpoint.ckpt"), lastCheckpointEpoch: 2);

        Assert.Equal((3, 7, 107L, DivergedQuantity.Gradient), (e.Epoch, e.Step, e.GlobalStep, e.Quantity));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("training diverged: the gradient norm became infinite at epoch 3, step 7/50 (global step 107, learning rate 0.002).", e.Message);
        Assert.Contains($"Kept the last good checkpoint {Path.Combine("runs", "mnist", "checkpoint.ckpt")} (epoch 2) unchanged.", e.Message);
        foreach (string advice in new[] { "lower learning rate", "gradient clipping", "checking the data", "'crnn info'" })
            Assert.Contains(advice, e.Message);
    }

    [Fact]
    public void MessageSaysWhenNoCheckpointWasWrittenAndWhichWeightBroke()
    {
        var loss = new TrainingDivergedException(DivergedQuantity.Loss, double.NaN, 1, 1, 10, 1, 10, null, 0);
        Assert.Contains("the training loss became NaN at epoch 1, step 1/10", loss.Message);
        Assert.Contains("No checkpoint had been written yet.", loss.Message);
        Assert.Null(loss.LastCheckpointPath);

        var weights = new TrainingDivergedException(DivergedQuantity.Weights, double.NegativeInfinity, 4, 10, 10, 40, 10, null, 0, "blocks.1.norms.0.running_var");
        Assert.Contains("the weights (blocks.1.norms.0.running_var) became infinite after epoch 4, step 10/10", weights.Message);
    }
}
