using TorchSharp;
using TorchSharp.Modules;
using Crnn.MLNet.Training.Native;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Model;

/// <summary>
/// The CRNN classifier: CNN features, read column by column (left to right) as a sequence by a
/// bidirectional LSTM or GRU, whose last hidden states (forward and backward) feed a linear layer.
/// Input N x 1 x H x W (normalised), output N x classes logits.
/// </summary>
public sealed class CrnnClassifier : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ConvBlock> blocks = new();
    private readonly nn.Module recurrent;
    private readonly Dropout dropout;
    private readonly Linear classifier;

    public CrnnClassifier(CrnnArchitecture architecture) : base(nameof(CrnnClassifier))
    {
        TorchRuntime.EnsureInitialized();
        Architecture = architecture;
        int c = 1;
        for (int b = 0; b < architecture.Widths.Length; b++)
        {
            blocks.Add(new ConvBlock($"block{b}", c, architecture.Widths[b], architecture.ConvsPerBlock, architecture.PoolOf(b), architecture.ConvDropout));
            c = architecture.Widths[b];
        }
        recurrent = architecture.Recurrent == RecurrentKind.Lstm
            ? nn.LSTM(architecture.SequenceFeatures, architecture.RecurrentHidden, architecture.RecurrentLayers, bidirectional: true)
            : nn.GRU(architecture.SequenceFeatures, architecture.RecurrentHidden, architecture.RecurrentLayers, bidirectional: true);
        dropout = nn.Dropout(architecture.Dropout);
        classifier = nn.Linear(2 * architecture.RecurrentHidden, architecture.ClassCount);
        RegisterComponents();
    }

    public CrnnArchitecture Architecture { get; }
    public IList<ConvBlock> Blocks => blocks;
    public nn.Module Recurrent => recurrent;
    public Linear Classifier => classifier;

    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var block in blocks) x = block.forward(x);
        // N, C, H, W -> W, N, C*H: each column of the feature map is one time step.
        long n = x.shape[0], ch = x.shape[1] * x.shape[2], w = x.shape[3];
        var sequence = x.permute(3, 0, 1, 2).reshape(w, n, ch);
        Tensor hidden = recurrent switch
        {
            LSTM lstm => lstm.forward(sequence).Item2,
            GRU gru => gru.forward(sequence).Item2,
            _ => throw new InvalidOperationException("unknown recurrent layer"),
        };
        // hidden: (layers * 2, N, H); the last layer's forward and backward final states.
        var last = torch.cat(new[] { hidden[-2], hidden[-1] }, 1);
        return classifier.forward(dropout.forward(last));
    }

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}
