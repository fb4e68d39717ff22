using Crnn.MLNet.Training.Model;

namespace Crnn.MLNet.Training.Export;

/// <summary>
/// A plain-array snapshot of a <see cref="CrnnClassifier"/>'s inference-time weights, checked
/// against its <see cref="CrnnArchitecture"/> (see <see cref="CrnnWeightReader"/>). Float arrays
/// are row-major in PyTorch's layouts.
/// </summary>
internal sealed record CrnnWeights(
    CrnnArchitecture Architecture,
    IReadOnlyList<ConvBlockWeights> Blocks,
    IReadOnlyList<RecurrentLayerWeights> RecurrentLayers,
    float[] ClassifierWeight,
    float[] ClassifierBias);

/// <summary>One conv block: its convolutions (each followed by batch norm and ReLU) and the max-pool after them.</summary>
internal sealed record ConvBlockWeights(IReadOnlyList<ConvWeights> Convs, (int H, int W) Pool);

/// <summary>A 3x3, stride 1, padding 1 convolution <c>[out, in, 3, 3]</c> and the batch norm after it.</summary>
internal sealed record ConvWeights(int InChannels, int OutChannels, float[] Weight, float[]? Bias, BatchNormWeights Norm);

/// <summary>Inference-mode batch norm: affine parameters, running statistics and epsilon.</summary>
internal sealed record BatchNormWeights(float[] Gamma, float[] Beta, float[] Mean, float[] Var, double Eps);

/// <summary>One bidirectional recurrent layer.</summary>
internal sealed record RecurrentLayerWeights(int InputSize, int HiddenSize, RecurrentDirectionWeights Forward, RecurrentDirectionWeights Backward);

/// <summary>
/// One direction of a PyTorch LSTM/GRU layer, gates stacked in PyTorch order (LSTM i,f,g,o; GRU r,z,n):
/// <c>weight_ih [G*H, in]</c>, <c>weight_hh [G*H, H]</c>, <c>bias_ih [G*H]</c>, <c>bias_hh [G*H]</c>.
/// </summary>
internal sealed record RecurrentDirectionWeights(float[] InputWeight, float[] HiddenWeight, float[] InputBias, float[] HiddenBias);
