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
        recurrent = CrnnLayers.CreateInto(architecture, blocks);
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
        var hidden = CrnnLayers.Forward(blocks, recurrent, input).FinalStates;
        // hidden: (layers * 2, N, H); the last layer's forward and backward final states.
        var last = torch.cat(new[] { hidden[-2], hidden[-1] }, 1);
        return classifier.forward(dropout.forward(last));
    }

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}
