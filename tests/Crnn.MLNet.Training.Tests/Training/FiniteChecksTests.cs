using Crnn.MLNet.Training.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Tests.Training;

/// <summary>The per-step gradient check and the per-epoch weight check the trainers stop on.</summary>
public sealed class FiniteChecksTests
{
    // TorchSharp is used directly below: the backend check must come first (see TorchRuntime.EnsureInitialized).
    public FiniteChecksTests() => Crnn.MLNet.Training.Native.TorchRuntime.EnsureInitialized();

    // A 3 -> 2 linear layer after one backward pass of sum(layer(x)): weight gradient [x; x], bias gradient [1, 1].
    private static nn.Module<Tensor, Tensor> LayerWithGradients(float[] x)
    {
        torch.manual_seed(1);
        var layer = nn.Linear(3, 2);
        layer.forward(torch.tensor(x).reshape(1, 3)).sum().backward();
        return layer;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void GradientNormIsTheTotalNormBeforeClipping(double clip)
    {
        using var layer = LayerWithGradients([1, 2, 3]);
        Assert.Equal(Math.Sqrt(2 * 14 + 2), FiniteChecks.GradientNorm(layer.parameters(), clip), 5);
        // Clipping still clips; without it the gradients are left alone.
        double after = Math.Sqrt(layer.parameters().Sum(p => p.grad!.square().sum().item<float>()));
        Assert.Equal(clip > 0 ? clip : Math.Sqrt(30), after, 4);
    }

    [Theory]
    [InlineData(0, float.NaN)]
    [InlineData(5, float.NaN)]
    [InlineData(0, float.PositiveInfinity)]
    [InlineData(5, float.PositiveInfinity)]
    public void GradientNormIsNotFiniteWhenAGradientIsNot(double clip, float bad)
    {
        using var layer = LayerWithGradients([1, bad, 3]);
        Assert.False(double.IsFinite(FiniteChecks.GradientNorm(layer.parameters(), clip)));
    }

    [Fact]
    public void FirstNonFiniteWeightNamesTheTensorAndItsKind()
    {
        torch.manual_seed(1);
        using var model = nn.Sequential(("linear", nn.Linear(3, 4)), ("norm", nn.BatchNorm1d(4)));
        Assert.Null(FiniteChecks.FirstNonFiniteWeight(model));

        // Batch-norm statistics are buffers, not parameters, yet they go into checkpoints too.
        using (torch.no_grad()) model.get_buffer("norm.running_var")![2] = float.PositiveInfinity;
        Assert.Equal(("norm.running_var", double.PositiveInfinity), FiniteChecks.FirstNonFiniteWeight(model));

        using (torch.no_grad()) model.get_parameter("linear.weight")![0, 1] = float.NaN;
        var (name, value) = FiniteChecks.FirstNonFiniteWeight(model)!.Value;
        Assert.Equal("linear.weight", name);
        Assert.True(double.IsNaN(value));
    }
}
