using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Tests.Optimization;

/// <summary>
/// The trainers' Adam and AdamW compute exactly what TorchSharp's do, read TorchSharp's optimizer state, and survive
/// garbage collections on other threads during a step (TorchSharp's own step can lose a Scalar there).
/// </summary>
public sealed class AdamTests
{
    private static Parameter[] MakeParameters(int seed)
    {
        torch.manual_seed(seed);
        return [new Parameter(torch.randn(64, 32)), new Parameter(torch.randn(32)), new Parameter(torch.randn(8, 4, 3, 3))];
    }

    /// <summary>A fixed pseudo-loss whose gradient changes from step to step.</summary>
    private static void Backward(Parameter[] parameters, int step)
    {
        using var scope = torch.NewDisposeScope();
        var loss = torch.zeros(1);
        for (int i = 0; i < parameters.Length; i++)
            loss = loss + (parameters[i] * parameters[i]).sum() * (0.5 + 0.1 * step) + parameters[i].sin().sum() * (i + 1);
        loss.backward();
    }

    private static void Run(OptimizerHelper optimizer, Parameter[] parameters, int fromStep, int steps)
    {
        for (int s = fromStep; s < fromStep + steps; s++)
        {
            optimizer.zero_grad();
            Backward(parameters, s);
            optimizer.step();
        }
    }

    private static void AssertIdentical(Parameter[] expected, Parameter[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(torch.eq(expected[i], actual[i]).all().item<bool>(), $"parameter {i} differs (largest difference {(expected[i] - actual[i]).abs().max().item<float>()})");
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(false, 1e-2)]
    [InlineData(true, 0.0)]
    [InlineData(true, 5e-2)]
    public void ComputesWhatTorchSharpsOptimizerComputes(bool decoupled, double weightDecay)
    {
        var reference = MakeParameters(7);
        var ours = MakeParameters(7);
        using OptimizerHelper torchOptimizer = decoupled
            ? torch.optim.AdamW(reference, lr: 1e-2, weight_decay: weightDecay)
            : torch.optim.Adam(reference, lr: 1e-2, weight_decay: weightDecay);
        using OptimizerHelper safeOptimizer = decoupled
            ? new Crnn.MLNet.Training.Optimization.AdamW(ours, 1e-2, weightDecay)
            : new Crnn.MLNet.Training.Optimization.Adam(ours, 1e-2, weightDecay);
        Run(torchOptimizer, reference, 0, 6);
        Run(safeOptimizer, ours, 0, 6);
        AssertIdentical(reference, ours);
        Assert.False(torch.eq(MakeParameters(7)[0], ours[0]).all().item<bool>(), "the steps changed nothing");
    }

    [Fact]
    public void ResumesFromStateWrittenByTorchSharpsAdam()
    {
        // Checkpoints written before this optimizer existed hold TorchSharp's Adam state; a resume must go on exactly.
        var reference = MakeParameters(3);
        using var torchAdam = torch.optim.Adam(reference, lr: 5e-3, weight_decay: 1e-3);
        Run(torchAdam, reference, 0, 3);
        using var saved = new MemoryStream();
        using (var writer = new BinaryWriter(saved, System.Text.Encoding.UTF8, leaveOpen: true)) torchAdam.save_state_dict(writer);
        var resumed = reference.Select(p => new Parameter(p.detach().clone())).ToArray();

        using var safeAdam = new Crnn.MLNet.Training.Optimization.Adam(resumed, 5e-3, 1e-3);
        saved.Position = 0;
        using (var reader = new BinaryReader(saved)) safeAdam.load_state_dict(reader);
        Run(torchAdam, reference, 3, 4);
        Run(safeAdam, resumed, 3, 4);
        AssertIdentical(reference, resumed);
    }

    [Fact]
    public void StepsSurviveGarbageCollectionsOnAnotherThread()
    {
        torch.manual_seed(5);
        // Many tiny parameters: many native calls with a Scalar per second, each a chance for a collection to land.
        var parameters = Enumerable.Range(0, 64).Select(_ => new Parameter(torch.randn(4))).ToArray();
        using var adam = new Crnn.MLNet.Training.Optimization.Adam(parameters, 1e-3, 1e-4);
        bool stop = false;
        // Collect and run finalisers as often as possible: a Scalar that is not kept alive is soon freed mid-call.
        var collector = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                GC.Collect(0);
                GC.WaitForPendingFinalizers();
            }
        });
        collector.Start();
        try
        {
            for (int s = 0; s < 1000; s++)
            {
                adam.zero_grad();
                using (torch.NewDisposeScope())
                    foreach (var p in parameters) p.grad = torch.tensor(new float[] { s % 7, 1, -1, 0.5f });
                adam.step();
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
        foreach (var p in parameters) Assert.True(p.isfinite().all().item<bool>());
    }
}
