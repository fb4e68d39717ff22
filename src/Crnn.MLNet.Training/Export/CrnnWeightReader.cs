using Crnn.MLNet.Training.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Export;

/// <summary>
/// Reads a <see cref="CrnnClassifier"/>'s parameters and batch-norm buffers into a
/// <see cref="CrnnWeights"/> snapshot, checking every module against the shape the ONNX graph
/// assumes. Reading parameters does not depend on (and does not change) the module's training mode:
/// batch norm is exported with its running statistics and dropout is left out, i.e. eval semantics.
/// </summary>
internal static class CrnnWeightReader
{
    /// <exception cref="NotSupportedException">A module has a shape or option the exporter cannot express.</exception>
    /// <exception cref="ArgumentException">A weight is NaN or infinite.</exception>
    public static CrnnWeights Read(CrnnClassifier model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Read(model.Architecture, model.Blocks, model.Recurrent, model.Classifier);
    }

    /// <summary>The same snapshot for a line (CTC) model, whose classifier is applied at every time step.</summary>
    /// <inheritdoc cref="Read(CrnnClassifier)" path="/exception"/>
    public static CrnnWeights Read(CrnnLineModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Read(model.Architecture, model.Blocks, model.Recurrent, model.Classifier);
    }

    private static CrnnWeights Read(CrnnArchitecture arch, IList<ConvBlock> modelBlocks, nn.Module recurrent, Linear linear)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();

        if (modelBlocks.Count != arch.Widths.Length)
            throw new NotSupportedException($"the model has {modelBlocks.Count} conv blocks but its architecture ({arch}) has {arch.Widths.Length}");
        var blocks = new List<ConvBlockWeights>();
        int channels = 1;
        for (int b = 0; b < modelBlocks.Count; b++)
        {
            blocks.Add(ReadBlock(modelBlocks[b], b, channels, arch.Widths[b], arch.ConvsPerBlock, arch.PoolOf(b)));
            channels = arch.Widths[b];
        }

        var layers = ReadRecurrent(recurrent, arch);

        ExpectShape("classifier weight", linear.weight, arch.ClassCount, 2L * arch.RecurrentHidden);
        float[] classifierWeight = ToArray("classifier weight", linear.weight);
        float[] classifierBias = linear.bias is { } lb ? ToArray("classifier bias", lb, arch.ClassCount) : new float[arch.ClassCount];
        return new CrnnWeights(arch, blocks, layers, classifierWeight, classifierBias);
    }

    private static ConvBlockWeights ReadBlock(ConvBlock block, int index, int inChannels, int outChannels, int convCount, (int H, int W) pool)
    {
        string where = $"block {index}";
        if (block.Convs.Count != convCount || block.Norms.Count != convCount)
            throw new NotSupportedException($"{where} has {block.Convs.Count} convs and {block.Norms.Count} batch norms; the architecture has {convCount} of each");
        foreach (var (name, child) in block.named_children())
        {
            if (child is not (ModuleList<Conv2d> or ModuleList<BatchNorm2d> or MaxPool2d or Dropout2d))
                throw new NotSupportedException($"{where} has a module '{name}' of type {child.GetType().Name}, which the exporter does not know");
        }
        var convs = new List<ConvWeights>();
        int c = inChannels;
        for (int i = 0; i < convCount; i++)
        {
            convs.Add(ReadConv(block.Convs[i], block.Norms[i], $"{where} conv {i}", c, outChannels));
            c = outChannels;
        }
        var pools = block.named_children().Select(nc => nc.module).OfType<MaxPool2d>().ToList();
        if (pools.Count != 1) throw new NotSupportedException($"{where} has {pools.Count} max-pool modules; exactly one is supported");
        var mp = pools[0];
        long[] expected = [pool.H, pool.W];
        if (!Same(mp.kernel_size, expected) || !Same(mp.stride, expected))
            throw new NotSupportedException($"{where}: max-pool kernel {Dims(mp.kernel_size)} stride {Dims(mp.stride)} differs from the architecture's {pool.H}x{pool.W}");
        if (mp.padding is { } p && p.Any(v => v != 0)) throw new NotSupportedException($"{where}: max-pool padding {Dims(p)} is not supported");
        if (mp.dilation is { } d && d.Any(v => v != 1)) throw new NotSupportedException($"{where}: max-pool dilation {Dims(d)} is not supported");
        if (mp.ceil_mode) throw new NotSupportedException($"{where}: max-pool ceil_mode is not supported");
        return new ConvBlockWeights(convs, pool);
    }

    private static ConvWeights ReadConv(Conv2d conv, BatchNorm2d norm, string where, int inChannels, int outChannels)
    {
        var w = conv.weight;
        if (w.ndim != 4 || w.shape[2] != 3 || w.shape[3] != 3)
            throw new NotSupportedException($"{where}: kernel {Dims(w.shape.Skip(2).ToArray())} is not supported; the exporter writes 3x3 convolutions");
        ExpectShape($"{where} weight", w, outChannels, inChannels, 3, 3);
        if (!Same(conv.stride, [1, 1])) throw new NotSupportedException($"{where}: stride {Dims(conv.stride)} is not supported (only 1x1)");
        if (conv.padding is null || !Same(conv.padding, [1, 1])) throw new NotSupportedException($"{where}: padding {Dims(conv.padding)} is not supported (only 1x1)");
        if (!Same(conv.dilation, [1, 1])) throw new NotSupportedException($"{where}: dilation {Dims(conv.dilation)} is not supported (only 1x1)");
        if (conv.groups != 1) throw new NotSupportedException($"{where}: {conv.groups} groups are not supported (only 1)");
        if (conv.padding_mode != PaddingModes.Zeros) throw new NotSupportedException($"{where}: padding mode {conv.padding_mode} is not supported (only zeros)");

        string bn = $"{where} batch norm";
        if (norm.running_mean is null || norm.running_var is null)
            throw new NotSupportedException($"{bn} has no running statistics (track_running_stats=false), so it has no inference form to fold");
        float[] mean = ToArray($"{bn} running mean", norm.running_mean, outChannels);
        float[] var = ToArray($"{bn} running var", norm.running_var, outChannels);
        if (var.Any(v => v < 0)) throw new ArgumentException($"{bn} has a negative running variance");
        float[] gamma = norm.weight is { } g ? ToArray($"{bn} weight", g, outChannels) : Enumerable.Repeat(1f, outChannels).ToArray();
        float[] beta = norm.bias is { } bb ? ToArray($"{bn} bias", bb, outChannels) : new float[outChannels];
        if (!(norm.eps >= 0) || double.IsInfinity(norm.eps)) throw new ArgumentException($"{bn} has epsilon {norm.eps}");
        float[]? bias = conv.bias is { } cb ? ToArray($"{where} bias", cb, outChannels) : null;
        return new ConvWeights(inChannels, outChannels, ToArray($"{where} weight", w), bias, new BatchNormWeights(gamma, beta, mean, var, norm.eps));
    }

    private static List<RecurrentLayerWeights> ReadRecurrent(nn.Module recurrent, CrnnArchitecture arch)
    {
        var kind = recurrent switch
        {
            LSTM => RecurrentKind.Lstm,
            GRU => RecurrentKind.Gru,
            _ => throw new NotSupportedException($"recurrent module of type {recurrent.GetType().Name} is not supported (only LSTM and GRU)"),
        };
        if (kind != arch.Recurrent)
            throw new NotSupportedException($"the model's recurrent module is {kind} but its architecture says {arch.Recurrent}");
        var parameters = recurrent.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);
        var known = new HashSet<string>(StringComparer.Ordinal);
        int gates = arch.GateCount, hidden = arch.RecurrentHidden;
        var layers = new List<RecurrentLayerWeights>();
        int input = arch.SequenceFeatures;
        for (int k = 0; k < arch.RecurrentLayers; k++)
        {
            RecurrentDirectionWeights Direction(string suffix)
            {
                string where = $"{kind} layer {k}{(suffix.Length > 0 ? " reverse" : "")}";
                Tensor Get(string name)
                {
                    string key = $"{name}_l{k}{suffix}";
                    known.Add(key);
                    if (!parameters.TryGetValue(key, out var t))
                        throw new NotSupportedException($"{where}: parameter '{key}' is missing (only bidirectional {kind} with {arch.RecurrentLayers} layer(s) is supported)");
                    return t;
                }
                var wih = Get("weight_ih");
                var whh = Get("weight_hh");
                ExpectShape($"{where} weight_ih", wih, gates * hidden, input);
                ExpectShape($"{where} weight_hh", whh, gates * hidden, hidden);
                float[] Bias(string name)
                {
                    string key = $"{name}_l{k}{suffix}";
                    known.Add(key);
                    return parameters.TryGetValue(key, out var t) ? ToArray($"{where} {name}", t, gates * hidden) : new float[gates * hidden];
                }
                return new RecurrentDirectionWeights(ToArray($"{where} weight_ih", wih), ToArray($"{where} weight_hh", whh), Bias("bias_ih"), Bias("bias_hh"));
            }
            layers.Add(new RecurrentLayerWeights(input, hidden, Direction(""), Direction("_reverse")));
            input = 2 * hidden;
        }
        var unknown = parameters.Keys.Where(n => !known.Contains(n)).OrderBy(n => n, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
            throw new NotSupportedException($"{kind} has parameters the exporter does not know: {string.Join(", ", unknown)} (projections and extra layers are not supported)");
        return layers;
    }

    private static void ExpectShape(string what, Tensor t, params long[] shape)
    {
        if (!Same(t.shape, shape))
            throw new NotSupportedException($"{what} has shape {Dims(t.shape)}, expected {Dims(shape)} from the architecture");
    }

    private static float[] ToArray(string what, Tensor t, long expectedCount = -1)
    {
        if (expectedCount >= 0 && (t.ndim != 1 || t.shape[0] != expectedCount))
            throw new NotSupportedException($"{what} has shape {Dims(t.shape)}, expected [{expectedCount}]");
        float[] values = t.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        if (values.Any(v => !float.IsFinite(v)))
            throw new ArgumentException($"{what} holds NaN or infinite values; the model cannot be exported");
        return values;
    }

    private static bool Same(long[]? a, long[] b) => a is not null && a.AsSpan().SequenceEqual(b);

    private static string Dims(long[]? dims) => dims is null ? "(none)" : "[" + string.Join("x", dims) + "]";
}
