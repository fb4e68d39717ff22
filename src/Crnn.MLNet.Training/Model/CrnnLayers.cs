using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Model;

/// <summary>
/// The layers the classifier and the line model share: the conv blocks, the bidirectional recurrent layer over the
/// feature map's columns, and running them. Each model keeps its own fields (so its parameter names stay
/// <c>blocks.*</c>, <c>recurrent.*</c>) and builds them here.
/// </summary>
internal static class CrnnLayers
{
    /// <summary>Fills <paramref name="blocks"/> with the architecture's conv blocks and returns its recurrent layer.</summary>
    public static nn.Module CreateInto(CrnnArchitecture architecture, ModuleList<ConvBlock> blocks)
    {
        int c = 1;
        for (int b = 0; b < architecture.Widths.Length; b++)
        {
            blocks.Add(new ConvBlock($"block{b}", c, architecture.Widths[b], architecture.ConvsPerBlock, architecture.PoolOf(b), architecture.ConvDropout));
            c = architecture.Widths[b];
        }
        return architecture.Recurrent == RecurrentKind.Lstm
            ? nn.LSTM(architecture.SequenceFeatures, architecture.RecurrentHidden, architecture.RecurrentLayers, bidirectional: true)
            : nn.GRU(architecture.SequenceFeatures, architecture.RecurrentHidden, architecture.RecurrentLayers, bidirectional: true);
    }

    /// <summary>
    /// CNN, then each column of the feature map (N, C, H, W -> W, N, C*H) as one time step through the recurrent layer:
    /// its outputs (T, N, 2H) and final states (layers * 2, N, H).
    /// </summary>
    public static (Tensor Outputs, Tensor FinalStates) Forward(IEnumerable<ConvBlock> blocks, nn.Module recurrent, Tensor input)
    {
        var x = input;
        foreach (var block in blocks) x = block.forward(x);
        long n = x.shape[0], ch = x.shape[1] * x.shape[2], w = x.shape[3];
        var sequence = x.permute(3, 0, 1, 2).reshape(w, n, ch);
        if (recurrent is LSTM lstm)
        {
            var (outputs, finalStates, _) = lstm.forward(sequence);
            return (outputs, finalStates);
        }
        if (recurrent is GRU gru) return gru.forward(sequence);
        throw new InvalidOperationException($"unknown recurrent layer {recurrent.GetType().Name}");
    }
}
