using System.Text.Json.Serialization;
using Crnn.MLNet.Training.Training;

namespace Crnn.MLNet.Training.Lines;

/// <summary>
/// Hyper-parameters of a line (CTC) training run. Immutable; validated on construction; stored in every checkpoint
/// so a resumed run continues with the same settings. Lines are synthesised on the fly, so an "epoch" is
/// <see cref="LinesPerEpoch"/> fresh lines.
/// </summary>
public sealed record LineTrainingOptions
{
    public static class Defaults
    {
        public const int Epochs = 30;
        public const int LinesPerEpoch = 20_000;
        public const int BatchSize = 32;
        public const double LearningRate = 1e-3;
        public const double WeightDecay = 1e-4;
        public const double GradientClipNorm = 5.0;
        public const double ValidationFraction = 0.2;
        public const int ValidationLines = 2_000;
        public const int TestLines = 5_000;
        public const int TestSeed = 2026;
        public const int Patience = 5;
        public const int Seed = 42;
        public const double WarmupEpochs = 1;
    }

    [JsonConstructor]
    public LineTrainingOptions(int epochs = Defaults.Epochs, int linesPerEpoch = Defaults.LinesPerEpoch, int batchSize = Defaults.BatchSize,
        double learningRate = Defaults.LearningRate, double weightDecay = Defaults.WeightDecay,
        LearningRateScheduleKind schedule = LearningRateScheduleKind.Cosine, double warmupEpochs = Defaults.WarmupEpochs,
        double gradientClipNorm = Defaults.GradientClipNorm, double validationFraction = Defaults.ValidationFraction,
        int validationLines = Defaults.ValidationLines, int testLines = Defaults.TestLines, int testSeed = Defaults.TestSeed,
        int patience = Defaults.Patience, int seed = Defaults.Seed, LineSynthesisOptions? synthesis = null, int? limit = null, int? threads = null)
    {
        if (epochs is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be in 1..10000");
        if (linesPerEpoch is < 1 or > 10_000_000) throw new ArgumentOutOfRangeException(nameof(linesPerEpoch), linesPerEpoch, "lines per epoch must be in 1..10000000");
        if (batchSize is < 1 or > 4_096) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be in 1..4096");
        if (!(learningRate > 0 && learningRate <= 10)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learning rate must be in (0, 10]");
        if (!(weightDecay >= 0 && weightDecay < 1)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weight decay must be in [0, 1)");
        if (!Enum.IsDefined(schedule)) throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "unknown schedule");
        if (!(warmupEpochs >= 0 && warmupEpochs <= epochs)) throw new ArgumentOutOfRangeException(nameof(warmupEpochs), warmupEpochs, "warm-up must be in [0, epochs]");
        if (!(gradientClipNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(gradientClipNorm), gradientClipNorm, "gradient clip norm must be >= 0 (0 turns it off)");
        if (!(validationFraction > 0 && validationFraction < 1)) throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "validation fraction must be in (0, 1)");
        if (validationLines is < 1 or > 1_000_000) throw new ArgumentOutOfRangeException(nameof(validationLines), validationLines, "validation lines must be in 1..1000000");
        if (testLines is < 0 or > 1_000_000) throw new ArgumentOutOfRangeException(nameof(testLines), testLines, "test lines must be in 0..1000000");
        if (patience < 1) throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be at least 1 epoch");
        if (limit is < 10) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be at least 10 images");
        if (threads is < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be positive");
        Epochs = epochs; LinesPerEpoch = linesPerEpoch; BatchSize = batchSize; LearningRate = learningRate; WeightDecay = weightDecay;
        Schedule = schedule; WarmupEpochs = warmupEpochs; GradientClipNorm = gradientClipNorm; ValidationFraction = validationFraction;
        ValidationLines = validationLines; TestLines = testLines; TestSeed = testSeed; Patience = patience; Seed = seed;
        Synthesis = synthesis ?? new LineSynthesisOptions(); Limit = limit; Threads = threads;
    }

    public int Epochs { get; }
    public int LinesPerEpoch { get; }
    public int BatchSize { get; }
    public double LearningRate { get; }
    public double WeightDecay { get; }
    [JsonConverter(typeof(JsonStringEnumConverter<LearningRateScheduleKind>))]
    public LearningRateScheduleKind Schedule { get; }
    public double WarmupEpochs { get; }
    public double GradientClipNorm { get; }
    /// <summary>Share of the training split's characters held out; validation lines are made only from them.</summary>
    public double ValidationFraction { get; }
    /// <summary>Fixed validation lines (same every epoch), for early stopping on CTC loss.</summary>
    public int ValidationLines { get; }
    /// <summary>Fixed test lines made from the test split after training (0: none).</summary>
    public int TestLines { get; }
    /// <summary>Seed of the fixed test lines (the same as <c>crnn make-lines</c> uses by default).</summary>
    public int TestSeed { get; }
    public int Patience { get; }
    public int Seed { get; }
    public LineSynthesisOptions Synthesis { get; }
    /// <summary>Use only the first N character images of the training split (quick runs).</summary>
    public int? Limit { get; }
    /// <summary>LibTorch threads (null: all cores). May change on resume.</summary>
    public int? Threads { get; init; }
}
