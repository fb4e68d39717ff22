namespace Crnn.MLNet.Training.Quantization;

/// <summary>Settings of <see cref="CrnnQuantizer"/>. Immutable; validated on construction.</summary>
public sealed record CrnnQuantizationOptions
{
    /// <summary>Defaults chosen by measurement (see docs/benchmarks.md, "int8").</summary>
    public static class Defaults
    {
        public const int CalibrationImages = 2_000;
        public const int ValidationImages = 5_000;
        public const double Percentile = 99.999;
        public const int WeightBits = 7;
        public const int BatchSize = 256;

        /// <summary>Largest loss of validation accuracy (a fraction, 0.0005 = 0.05 points) the faster recurrent form may cost.</summary>
        public const double AccuracyTolerance = 0.0005;
    }

    public CrnnQuantizationOptions(IReadOnlyList<CalibrationMethod>? methods = null, RecurrentQuantization recurrent = RecurrentQuantization.Auto,
        int weightBits = Defaults.WeightBits, int calibrationImages = Defaults.CalibrationImages, int validationImages = Defaults.ValidationImages,
        double percentile = Defaults.Percentile, int batchSize = Defaults.BatchSize, double accuracyTolerance = Defaults.AccuracyTolerance)
    {
        methods ??= Enum.GetValues<CalibrationMethod>();
        if (methods.Count == 0) throw new ArgumentException("give at least one calibration method", nameof(methods));
        if (methods.Any(m => !Enum.IsDefined(m))) throw new ArgumentOutOfRangeException(nameof(methods), "unknown calibration method");
        if (!Enum.IsDefined(recurrent)) throw new ArgumentOutOfRangeException(nameof(recurrent), recurrent, "unknown recurrent quantisation");
        // 7-bit weights keep u8 x s8 pair sums below the int16 saturation of AVX2's vpmaddubsw (2 x 255 x 63 < 32767);
        // full 8-bit weights are only exact on CPUs with VNNI.
        if (weightBits is not (7 or 8)) throw new ArgumentOutOfRangeException(nameof(weightBits), weightBits, "weights are quantised to 7 bits (right on every x64 CPU) or 8 bits (VNNI CPUs only)");
        if (calibrationImages is < 10 or > 1_000_000) throw new ArgumentOutOfRangeException(nameof(calibrationImages), calibrationImages, "calibration images must be in 10..1000000");
        if (validationImages is < 10 or > 1_000_000) throw new ArgumentOutOfRangeException(nameof(validationImages), validationImages, "validation images must be in 10..1000000");
        if (percentile is <= 90 or >= 100) throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "the percentile must be in (90, 100)");
        if (batchSize is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be in 1..4096");
        if (accuracyTolerance is < 0 or > 0.1) throw new ArgumentOutOfRangeException(nameof(accuracyTolerance), accuracyTolerance, "the accuracy tolerance must be in [0, 0.1]");
        Methods = methods.Distinct().ToArray();
        Recurrent = recurrent;
        WeightBits = weightBits;
        CalibrationImages = calibrationImages;
        ValidationImages = validationImages;
        Percentile = percentile;
        BatchSize = batchSize;
        AccuracyTolerance = accuracyTolerance;
    }

    /// <summary>Calibration methods to try; the best on validation is kept.</summary>
    public IReadOnlyList<CalibrationMethod> Methods { get; }
    public RecurrentQuantization Recurrent { get; }

    /// <summary>7 (default; correct on every x64 CPU) or 8 (a little more precise; only exact on CPUs with VNNI).</summary>
    public int WeightBits { get; }
    public int CalibrationImages { get; }
    public int ValidationImages { get; }

    /// <summary>Percentile of activation values kept by <see cref="CalibrationMethod.Percentile"/>.</summary>
    public double Percentile { get; }
    public int BatchSize { get; }
    public double AccuracyTolerance { get; }
}
