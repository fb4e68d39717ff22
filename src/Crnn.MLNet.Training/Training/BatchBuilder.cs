using Crnn.MLNet.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Training;

/// <summary>Turns dataset images into float tensors, reusing one buffer per builder.</summary>
internal sealed class BatchBuilder
{
    private readonly CharacterDataset data;
    private float[] pixels = [];
    private long[] labels = [];

    public BatchBuilder(CharacterDataset data) => this.data = data;

    /// <summary>Images scaled to [0, 1] as N x 1 x H x W, and their labels.</summary>
    public (Tensor Images, Tensor Labels) Build(ReadOnlySpan<int> indices)
    {
        int n = indices.Length, size = data.PixelsPerImage;
        if (pixels.Length != n * size) { pixels = new float[n * size]; labels = new long[n]; }
        for (int i = 0; i < n; i++)
        {
            var src = data.Image(indices[i]);
            var dst = pixels.AsSpan(i * size, size);
            for (int p = 0; p < size; p++) dst[p] = src[p] * (1f / 255f);
            labels[i] = data.Labels[indices[i]];
        }
        return (torch.tensor(pixels, new long[] { n, 1, data.Height, data.Width }), torch.tensor(labels, new long[] { n }));
    }
}
