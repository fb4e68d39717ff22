using TorchSharp;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Training;

/// <summary>
/// Applies random affine and elastic distortions to a whole batch at once with
/// <c>affine_grid</c>/<c>grid_sample</c>, so augmentation costs a small fraction of a training step.
/// Random parameters come from the caller's seeded <see cref="Random"/>, so runs are reproducible.
/// </summary>
public sealed class BatchAugmenter
{
    private readonly AugmentationOptions options;

    public BatchAugmenter(AugmentationOptions options) => this.options = options;

    /// <summary>
    /// Distorts <paramref name="images"/> (N x 1 x H x W, pixel values in [0, 1], background 0);
    /// returns a new tensor of the same shape.
    /// </summary>
    public Tensor Apply(Tensor images, Random random)
    {
        if (options.IsNone) return images.alias();
        long n = images.shape[0], h = images.shape[2], w = images.shape[3];
        var theta = new float[n * 6];
        for (int i = 0; i < n; i++)
        {
            double angle = Uniform(random, options.RotationDegrees) * Math.PI / 180;
            double scale = 1 + Uniform(random, options.Scale);
            double shear = Uniform(random, options.Shear);
            // affine_grid works in [-1, 1] coordinates: a shift of p pixels is 2p / size.
            double tx = Uniform(random, options.ShiftPixels) * 2 / w;
            double ty = Uniform(random, options.ShiftPixels) * 2 / h;
            double cos = Math.Cos(angle) / scale, sin = Math.Sin(angle) / scale;
            // Rotation (and inverse scale) composed with a horizontal shear: [[c, -s], [s, c]] x [[1, k], [0, 1]].
            theta[i * 6 + 0] = (float)cos;
            theta[i * 6 + 1] = (float)(cos * shear - sin);
            theta[i * 6 + 2] = (float)tx;
            theta[i * 6 + 3] = (float)sin;
            theta[i * 6 + 4] = (float)(sin * shear + cos);
            theta[i * 6 + 5] = (float)ty;
        }
        using var thetaTensor = torch.tensor(theta, new long[] { n, 2, 3 });
        using var grid = nn.functional.affine_grid(thetaTensor, new long[] { n, 1, h, w }, align_corners: false);
        if (options.ElasticAlpha > 0)
        {
            using var displacement = ElasticField(n, h, w, random);
            grid.add_(displacement);
        }
        return nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
    }

    // Smooth random displacement (Simard et al. 2003): uniform noise blurred by a Gaussian,
    // scaled to ElasticAlpha pixels, in grid coordinates (N x H x W x 2).
    private Tensor ElasticField(long n, long h, long w, Random random)
    {
        var noise = new float[n * 2 * h * w];
        for (int i = 0; i < noise.Length; i++) noise[i] = (float)(random.NextDouble() * 2 - 1);
        int radius = (int)Math.Ceiling(options.ElasticSigma * 2);
        var kernel1d = Enumerable.Range(-radius, 2 * radius + 1)
            .Select(x => Math.Exp(-x * x / (2 * options.ElasticSigma * options.ElasticSigma))).ToArray();
        double sum = kernel1d.Sum();
        var k = kernel1d.Select(v => (float)(v / sum)).ToArray();
        using var field = torch.tensor(noise, new long[] { n * 2, 1, h, w });
        using var kx = torch.tensor(k, new long[] { 1, 1, 1, k.Length });
        using var ky = torch.tensor(k, new long[] { 1, 1, k.Length, 1 });
        using var blurredX = nn.functional.conv2d(field, kx, padding: new long[] { 0, radius });
        using var blurred = nn.functional.conv2d(blurredX, ky, padding: new long[] { radius, 0 });
        // Normalise so the strongest displacement is about ElasticAlpha pixels whatever sigma is.
        using var maxAbs = blurred.abs().max().clamp_min(1e-6);
        using var pixels = blurred / maxAbs * options.ElasticAlpha;
        using var scaleXy = torch.tensor(new float[] { 2f / w, 2f / h });
        return pixels.reshape(n, 2, h, w).permute(0, 2, 3, 1) * scaleXy;
    }

    private static double Uniform(Random random, double amplitude) =>
        amplitude == 0 ? 0 : (random.NextDouble() * 2 - 1) * amplitude;
}
