using Crnn.MLNet.Training.Model;

namespace Crnn.MLNet.Training.Lines;

/// <summary>The JSON part of a line-model checkpoint: everything but the tensors.</summary>
public sealed record LineCheckpointState
{
    public const int CurrentFormatVersion = 1;
    public const string KindName = "line-ctc";

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    /// <summary>Always <see cref="KindName"/>: tells a line checkpoint from a classifier's.</summary>
    public string Kind { get; init; } = KindName;
    public required string Dataset { get; init; }
    /// <summary>The characters, in class order after the blank.</summary>
    public required IReadOnlyList<string> LabelNames { get; init; }
    public required CrnnArchitecture Architecture { get; init; }
    public required LineTrainingOptions Options { get; init; }
    public double NormalizationMean { get; init; }
    public double NormalizationStd { get; init; } = 1;
    /// <summary>Checkpoint the weights were seeded from, if any (file name only).</summary>
    public string? InitializedFrom { get; init; }
    public int TrainCharacters { get; init; }
    public int ValidationCharacters { get; init; }
    public int EpochsCompleted { get; init; }
    public long GlobalStep { get; init; }
    public int BestEpoch { get; init; }
    public double BestValidationLoss { get; init; } = double.MaxValue;
    public double BestValidationCharacterErrorRate { get; init; } = 1;
    public double BestValidationSequenceAccuracy { get; init; }
    public int EpochsWithoutImprovement { get; init; }
    public bool Finished { get; init; }
    public double TrainingSeconds { get; init; }
    public LineEvaluation? Test { get; init; }
    /// <summary>The user's own lines the run fine-tunes on, if any.</summary>
    public OwnLinesRecord? OwnLines { get; init; }
    /// <summary>With own lines: the seeded model on their validation lines before any step (the "before" figure).</summary>
    public LineEvaluation? InitialValidation { get; init; }
    public IReadOnlyList<LineEpochRecord> History { get; init; } = [];
}

/// <summary>What a run took from a folder of the user's own lines (see <see cref="OwnLineSet"/>).</summary>
public sealed record OwnLinesRecord(string Folder, int TrainingLines, int ValidationLines, int Skipped, double Share, IReadOnlyList<string> ValidationPages)
{
    public static OwnLinesRecord Of(OwnLineSet set) =>
        new(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(set.Source))), set.Training.Count, set.Validation.Count, set.Skipped, set.Share, set.ValidationPages);
}

/// <summary>One epoch of line training.</summary>
public sealed record LineEpochRecord
{
    public int Epoch { get; init; }
    public double LearningRate { get; init; }
    public double TrainLoss { get; init; }
    public double ValidationLoss { get; init; }
    public double ValidationCharacterErrorRate { get; init; }
    public double ValidationSequenceAccuracy { get; init; }
    public double Seconds { get; init; }
    public double LinesPerSecond { get; init; }
    public double CharactersPerSecond { get; init; }
    public bool Improved { get; init; }
}
