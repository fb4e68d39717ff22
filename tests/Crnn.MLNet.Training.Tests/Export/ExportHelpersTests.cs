using Crnn.MLNet.Training.Export;
using Crnn.MLNet.Training.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Tests.Export;

/// <summary>The exporter's numeric building blocks: batch-norm folding and gate reordering.</summary>
public class ExportHelpersTests
{
    [Fact]
    public void FoldedConvEqualsConvThenInferenceBatchNorm()
    {
        Crnn.MLNet.Training.Native.TorchRuntime.EnsureInitialized();
        torch.manual_seed(2);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 3, 6, 5);
        var w = torch.randn(4, 3, 3, 3);
        var convBias = torch.randn(4);
        var gamma = torch.rand(4) + 0.5;
        var beta = torch.randn(4);
        var mean = torch.randn(4);
        var var = torch.rand(4) + 0.1;
        const double eps = 1e-3;
        var expected = nn.functional.batch_norm(nn.functional.conv2d(x, w, convBias, padding: [1, 1]), mean, var, gamma, beta, training: false, eps: eps);

        float[] F(Tensor t) => t.data<float>().ToArray();
        var (fw, fb) = BatchNormFolding.Fold(F(w), F(convBias), new BatchNormWeights(F(gamma), F(beta), F(mean), F(var), eps));
        var actual = nn.functional.conv2d(x, torch.tensor(fw, [4, 3, 3, 3]), torch.tensor(fb), padding: [1, 1]);

        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-5), $"max diff {(actual - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void LstmGatesAreReorderedToOnnxOrder()
    {
        // One hidden unit, one input: PyTorch rows i, f, g, o hold 1, 2, 3, 4; ONNX wants i, o, f, c.
        var forward = new RecurrentDirectionWeights([1, 2, 3, 4], [11, 12, 13, 14], [21, 22, 23, 24], [31, 32, 33, 34]);
        var backward = new RecurrentDirectionWeights([5, 6, 7, 8], [15, 16, 17, 18], [25, 26, 27, 28], [35, 36, 37, 38]);
        var (w, r, b) = RecurrentWeightPacking.Pack(RecurrentKind.Lstm, new RecurrentLayerWeights(1, 1, forward, backward));
        Assert.Equal(new float[] { 1, 4, 2, 3, 5, 8, 6, 7 }, w);
        Assert.Equal(new float[] { 11, 14, 12, 13, 15, 18, 16, 17 }, r);
        Assert.Equal(new float[] { 21, 24, 22, 23, 31, 34, 32, 33, 25, 28, 26, 27, 35, 38, 36, 37 }, b);
    }

    [Fact]
    public void GruGatesAreReorderedToOnnxOrder()
    {
        // Two hidden units, one input: PyTorch blocks r, z, n; ONNX wants z, r, h.
        var d = new RecurrentDirectionWeights([1, 1, 2, 2, 3, 3], new float[12], [1, 1, 2, 2, 3, 3], [4, 4, 5, 5, 6, 6]);
        var (w, _, b) = RecurrentWeightPacking.Pack(RecurrentKind.Gru, new RecurrentLayerWeights(1, 2, d, d));
        Assert.Equal(new float[] { 2, 2, 1, 1, 3, 3, 2, 2, 1, 1, 3, 3 }, w);
        Assert.Equal(new float[] { 2, 2, 1, 1, 3, 3, 5, 5, 4, 4, 6, 6 }, b[..12]);
    }
}
