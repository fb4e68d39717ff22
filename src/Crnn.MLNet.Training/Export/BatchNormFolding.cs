namespace Crnn.MLNet.Training.Export;

/// <summary>
/// Folds an inference-mode batch norm into the convolution before it:
/// <c>BN(conv(x)) = gamma * (W*x + b - mean) / sqrt(var + eps) + beta = W'*x + b'</c> with
/// <c>s = gamma / sqrt(var + eps)</c>, <c>W' = W * s</c> (per output channel) and <c>b' = (b - mean) * s + beta</c>.
/// Computed in double precision, rounded once to float.
/// </summary>
internal static class BatchNormFolding
{
    /// <param name="weight">Conv weight, output channel major: <c>[out, in, kh, kw]</c> flattened.</param>
    /// <param name="bias">Conv bias <c>[out]</c>, or <c>null</c> for a conv without bias.</param>
    /// <returns>The folded weight (same layout) and bias <c>[out]</c>.</returns>
    public static (float[] Weight, float[] Bias) Fold(float[] weight, float[]? bias, BatchNormWeights norm)
    {
        int outChannels = norm.Mean.Length;
        if (outChannels == 0 || weight.Length % outChannels != 0)
            throw new ArgumentException($"a conv weight of {weight.Length} values does not split into {outChannels} output channels", nameof(weight));
        if (bias is not null && bias.Length != outChannels)
            throw new ArgumentException($"conv bias has {bias.Length} values for {outChannels} channels", nameof(bias));
        int perChannel = weight.Length / outChannels;
        var w = new float[weight.Length];
        var b = new float[outChannels];
        for (int o = 0; o < outChannels; o++)
        {
            double scale = norm.Gamma[o] / Math.Sqrt((double)norm.Var[o] + norm.Eps);
            for (int k = 0; k < perChannel; k++)
                w[o * perChannel + k] = (float)(weight[o * perChannel + k] * scale);
            double convBias = bias?[o] ?? 0.0;
            b[o] = (float)((convBias - norm.Mean[o]) * scale + norm.Beta[o]);
        }
        return (w, b);
    }
}
