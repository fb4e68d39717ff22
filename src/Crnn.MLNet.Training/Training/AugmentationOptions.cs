namespace Crnn.MLNet.Training.Training;

/// <summary>
/// Random affine (and optionally elastic) distortions applied to training batches on the fly.
/// Never applied to validation or test data.
/// </summary>
public sealed record AugmentationOptions
{
    public static class Defaults
    {
        public const double RotationDegrees = 10;
        public const double Scale = 0.10;
        public const double ShiftPixels = 2.0;
        public const double Shear = 0.15;
        public const double ElasticAlpha = 0;
        public const double ElasticSigma = 4;
    }

    /// <summary>No augmentation at all.</summary>
    public static AugmentationOptions None { get; } = new(0, 0, 0, 0, 0);

    public AugmentationOptions(double rotationDegrees = Defaults.RotationDegrees, double scale = Defaults.Scale,
        double shiftPixels = Defaults.ShiftPixels, double shear = Defaults.Shear, double elasticAlpha = Defaults.ElasticAlpha,
        double elasticSigma = Defaults.ElasticSigma)
    {
        Check(rotationDegrees, 0, 45, nameof(rotationDegrees));
        Check(scale, 0, 0.5, nameof(scale));
        Check(shiftPixels, 0, 8, nameof(shiftPixels));
        Check(shear, 0, 0.5, nameof(shear));
        Check(elasticAlpha, 0, 64, nameof(elasticAlpha));
        Check(elasticSigma, 0.5, 16, nameof(elasticSigma));
        RotationDegrees = rotationDegrees;
        Scale = scale;
        ShiftPixels = shiftPixels;
        Shear = shear;
        ElasticAlpha = elasticAlpha;
        ElasticSigma = elasticSigma;
    }

    /// <summary>Maximum rotation either way, degrees.</summary>
    public double RotationDegrees { get; }
    /// <summary>Scale drawn from [1 - Scale, 1 + Scale].</summary>
    public double Scale { get; }
    /// <summary>Maximum shift either way on each axis, pixels.</summary>
    public double ShiftPixels { get; }
    /// <summary>Maximum horizontal shear factor either way.</summary>
    public double Shear { get; }
    /// <summary>Elastic distortion strength in pixels (Simard et al. 2003); 0 turns it off.</summary>
    public double ElasticAlpha { get; }
    /// <summary>Smoothness of the elastic displacement field (Gaussian sigma, pixels).</summary>
    public double ElasticSigma { get; }

    /// <summary>
    /// Share of training images (0 to 1) replaced, before the distortions above, by a scanned-looking crop of the same
    /// character (<see cref="Realism.RealisticCropSynthesizer"/>: larger, dark on paper, neighbours cut by the crop's
    /// edge, specks, printed lines, shading) read back through the inference library's normaliser with its default
    /// clean-up, so the model learns what that normaliser delivers from real crops. 0 (the default) leaves the images
    /// as they are and draws no extra random numbers.
    /// </summary>
    public double RealCrops
    {
        get => _realCrops;
        init => _realCrops = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(RealCrops), value, "the share of realistic crops must be in 0..1");
    }
    private readonly double _realCrops;

    public bool IsNone => RotationDegrees == 0 && Scale == 0 && ShiftPixels == 0 && Shear == 0 && ElasticAlpha == 0 && RealCrops == 0;

    private static void Check(double value, double min, double max, string name)
    {
        if (!(value >= min && value <= max)) throw new ArgumentOutOfRangeException(name, value, $"must be in [{min}, {max}]");
    }
}
