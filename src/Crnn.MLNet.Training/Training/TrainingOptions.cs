using System.Text.Json.Serialization;

namespace Crnn.MLNet.Training.Training;

/// <summary>
/// Hyper-parameters of a training run. Immutable; validated on construction. Stored in every
/// checkpoint so a resumed run continues with exactly the same settings.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Defaults chosen by measurement on MNIST's validation split (see models/MODEL_CARD.md).</summary>
    public static class Defaults
    {
        public const int Epochs = 15;
        public const int BatchSize = 128;
        public const double LearningRate = 2e-3;
        public const double WeightDecay = 1e-4;
        public const double LabelSmoothing = 0.0;
        public const double GradientClipNorm = 5.0;
        public const double ValidationFraction = 0.2;
        public const int Patience = 5;
        public const int Seed = 42;
        public const double WarmupEpochs = 1;
    }

    [JsonConstructor]
    public TrainingOptions(int epochs = Defaults.Epochs, int batchSize = Defaults.BatchSize, double learningRate = Defaults.LearningRate,
        OptimizerKind optimizer = OptimizerKind.Adam, double weightDecay = Defaults.WeightDecay,
        LearningRateScheduleKind schedule = LearningRateScheduleKind.Cosine, double warmupEpochs = Defaults.WarmupEpochs,
        double labelSmoothing = Defaults.LabelSmoothing, double gradientClipNorm = Defaults.GradientClipNorm,
        double validationFraction = Defaults.ValidationFraction, int patience = Defaults.Patience, int seed = Defaults.Seed,
        AugmentationOptions? augmentation = null, int? limit = null, int? threads = null)
    {
        if (epochs is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be in 1..10000");
        if (batchSize is < 1 or > 65_536) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be in 1..65536");
        if (!(learningRate > 0 && learningRate <= 10)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learning rate must be in (0, 10]");
        if (!(weightDecay >= 0 && weightDecay < 1)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weight decay must be in [0, 1)");
        if (!(warmupEpochs >= 0 && warmupEpochs <= epochs)) throw new ArgumentOutOfRangeException(nameof(warmupEpochs), warmupEpochs, "warm-up must be in [0, epochs]");
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "label smoothing must be in [0, 1)");
        if (!(gradientClipNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(gradientClipNorm), gradientClipNorm, "gradient clip norm must be >= 0 (0 turns it off)");
        if (!(validationFraction > 0 && validationFraction < 1)) throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "validation fraction must be in (0, 1)");
        if (patience < 1) throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be at least 1 epoch");
        if (limit is < 10) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be at least 10 images");
        if (!Enum.IsDefined(optimizer)) throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, "unknown optimiser");
        if (!Enum.IsDefined(schedule)) throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "unknown schedule");
        Epochs = epochs;
        BatchSize = batchSize;
        LearningRate = learningRate;
        Optimizer = optimizer;
        WeightDecay = weightDecay;
        Schedule = schedule;
        WarmupEpochs = warmupEpochs;
        LabelSmoothing = labelSmoothing;
        GradientClipNorm = gradientClipNorm;
        ValidationFraction = validationFraction;
        Patience = patience;
        Seed = seed;
        Augmentation = augmentation ?? new AugmentationOptions();
        Limit = limit;
        Threads = threads;
    }

    public int Epochs { get; }
    public int BatchSize { get; }
    public double LearningRate { get; }
    [JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))] public OptimizerKind Optimizer { get; }
    public double WeightDecay { get; }
    [JsonConverter(typeof(JsonStringEnumConverter<LearningRateScheduleKind>))] public LearningRateScheduleKind Schedule { get; }
    public double WarmupEpochs { get; }
    public double LabelSmoothing { get; }
    /// <summary>Maximum global gradient norm; 0 turns clipping off.</summary>
    public double GradientClipNorm { get; }
    public double ValidationFraction { get; }
    /// <summary>Epochs without a better validation loss before stopping early.</summary>
    public int Patience { get; }
    public int Seed { get; }
    public AugmentationOptions Augmentation { get; }
    /// <summary>Use only the first N training images (quick runs, tests).</summary>
    public int? Limit { get; }
    /// <summary>Intra-op threads for LibTorch; default: all cores.</summary>
    public int? Threads
    {
        get => threads;
        init => threads = value is < 1 or > 256 ? throw new ArgumentOutOfRangeException(nameof(Threads), value, "threads must be in 1..256") : value;
    }

    private readonly int? threads;
}
