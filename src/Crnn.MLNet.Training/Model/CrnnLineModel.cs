using TorchSharp;
using TorchSharp.Modules;
using Crnn.MLNet.Training.Native;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Model;

/// <summary>
/// The CRNN line recogniser: the classifier's CNN, read column by column by a bidirectional LSTM or GRU whose
/// output at every time step goes through a linear layer and log-softmax (CTC). Input N x 1 x H x W (normalised,
/// any width that is a multiple of 4), output T x N x classes log-probabilities with T = W / 4, class 0 the blank.
/// Module names match <see cref="CrnnClassifier"/>'s, so a trained classifier's CNN and recurrent weights can seed it.
/// </summary>
public sealed class CrnnLineModel : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ConvBlock> blocks = new();
    private readonly nn.Module recurrent;
    private readonly Dropout dropout;
    private readonly Linear classifier;

    /// <param name="architecture">Shape; <see cref="CrnnArchitecture.ClassCount"/> counts the blank, <see cref="CrnnArchitecture.InputWidth"/> is nominal.</param>
    public CrnnLineModel(CrnnArchitecture architecture) : base(nameof(CrnnLineModel))
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

    /// <summary>Input columns per output time step (the product of the blocks' horizontal pooling).</summary>
    public int TimeStepWidth => Enumerable.Range(0, Architecture.Widths.Length).Aggregate(1, (w, b) => w * Architecture.PoolOf(b).W);

    public override Tensor forward(Tensor input)
    {
        var output = CrnnLayers.Forward(blocks, recurrent, input).Outputs;
        // output: T, N, 2H (forward | backward at each step) -> T, N, classes.
        return nn.functional.log_softmax(classifier.forward(dropout.forward(output)), 2);
    }

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());

    /// <summary>
    /// Copies every parameter and buffer of <paramref name="source"/> whose name and shape match one of this
    /// model's (the CNN and the recurrent layer of a classifier of the same shape); returns the names copied.
    /// </summary>
    public IReadOnlyList<string> CopyMatchingWeightsFrom(nn.Module source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var mine = named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(named_buffers()).ToDictionary(p => p.Item1, p => p.Item2);
        var copied = new List<string>();
        using var noGrad = torch.no_grad();
        foreach (var (name, tensor) in source.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(source.named_buffers()))
        {
            if (mine.TryGetValue(name, out var target) && target.shape.SequenceEqual(tensor.shape))
            {
                target.copy_(tensor);
                copied.Add(name);
            }
        }
        return copied;
    }
}
