using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Model;

/// <summary>
/// (Conv 3x3 without bias, BatchNorm, ReLU) x n, then max-pool and spatial dropout.
/// Convs have no bias because batch norm's shift makes it redundant (and the exporter folds BN into the conv).
/// </summary>
public sealed class ConvBlock : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Conv2d> convs = new();
    private readonly ModuleList<BatchNorm2d> norms = new();
    private readonly MaxPool2d pool;
    private readonly Dropout2d dropout;

    public ConvBlock(string name, int inChannels, int outChannels, int convCount, (int H, int W) pool, double dropout) : base(name)
    {
        for (int i = 0; i < convCount; i++)
        {
            convs.Add(nn.Conv2d(i == 0 ? inChannels : outChannels, outChannels, 3, padding: 1, bias: false));
            norms.Add(nn.BatchNorm2d(outChannels));
        }
        this.pool = nn.MaxPool2d(new long[] { pool.H, pool.W }, new long[] { pool.H, pool.W });
        this.dropout = nn.Dropout2d(dropout);
        RegisterComponents();
    }

    public IList<Conv2d> Convs => convs;
    public IList<BatchNorm2d> Norms => norms;

    public override Tensor forward(Tensor x)
    {
        for (int i = 0; i < convs.Count; i++)
            x = nn.functional.relu(BatchNorm(norms[i], convs[i].forward(x)));
        return dropout.forward(pool.forward(x));
    }

    // The functional form of BatchNorm2d.forward with the module's own buffers and momentum: same
    // numbers, but it skips TorchSharp's num_batches_tracked.add_(1), whose implicitly created
    // Scalar was seen freed while in use (a rare "Unknown scalar type" crash after hours of
    // training). num_batches_tracked only matters for momentum = null, which we never use.
    private Tensor BatchNorm(BatchNorm2d norm, Tensor x) =>
        nn.functional.batch_norm(x, norm.running_mean, norm.running_var, norm.weight, norm.bias,
            training, norm.momentum ?? 0.1, norm.eps);
}
