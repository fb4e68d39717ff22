using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Realism;
using TorchSharp;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Training;

/// <summary>
/// Turns dataset images into float tensors, reusing one buffer per builder. Given a share of realistic crops, it
/// replaces that share of the images by scanned-looking crops of the same characters read back through the
/// inference library's normaliser (see <see cref="AugmentationOptions.RealCrops"/>).
/// </summary>
internal sealed class BatchBuilder
{
    private readonly CharacterDataset data;
    private readonly double realCrops;
    private readonly RealisticCropSynthesizer? crops;
    private readonly HandwritingNormalizer? normalizer;
    private float[] pixels = [];
    private long[] labels = [];

    /// <param name="data">The images.</param>
    /// <param name="realCrops">Share of images replaced by realistic crops (0: none).</param>
    /// <param name="neighbours">Images the crops may show as neighbours (the training split).</param>
    public BatchBuilder(CharacterDataset data, double realCrops = 0, IReadOnlyList<int>? neighbours = null)
    {
        this.data = data;
        this.realCrops = realCrops;
        if (realCrops > 0)
        {
            crops = new RealisticCropSynthesizer(data, neighbours);
            normalizer = new HandwritingNormalizer(data.Height, data.Width, new CrnnPreprocessing(), CharacterCleanup.Default);
        }
    }

    /// <summary>
    /// Images scaled to [0, 1] as N x 1 x H x W, and their labels. <paramref name="rng"/> decides which images become
    /// realistic crops; it is only drawn from when the builder has a share of them.
    /// </summary>
    public (Tensor Images, Tensor Labels) Build(ReadOnlySpan<int> indices, Random? rng = null)
    {
        int n = indices.Length, size = data.PixelsPerImage;
        if (pixels.Length != n * size) { pixels = new float[n * size]; labels = new long[n]; }
        for (int i = 0; i < n; i++)
        {
            var dst = pixels.AsSpan(i * size, size);
            if (rng is not null && crops is not null && rng.NextDouble() < realCrops)
            {
                var (crop, width, height) = crops.Make(indices[i], CropClutter.Real, rng);
                normalizer!.Normalize(crop, width, height, dst);
            }
            else
            {
                var src = data.Image(indices[i]);
                for (int p = 0; p < size; p++) dst[p] = src[p] * (1f / 255f);
            }
            labels[i] = data.Labels[indices[i]];
        }
        return (torch.tensor(pixels, new long[] { n, 1, data.Height, data.Width }), torch.tensor(labels, new long[] { n }));
    }
}
