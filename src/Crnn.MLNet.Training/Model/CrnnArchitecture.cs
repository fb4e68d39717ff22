using System.Text.Json.Serialization;

namespace Crnn.MLNet.Training.Model;

/// <summary>
/// Shape of a CRNN classifier: conv blocks (conv 3x3 + batch norm + ReLU, then max-pool and
/// dropout), a bidirectional recurrent layer over the feature map's columns, a linear classifier.
/// Immutable and validated on construction; serialised into checkpoints and ONNX metadata.
/// </summary>
public sealed record CrnnArchitecture
{
    /// <summary>Defaults chosen by measurement (see docs/benchmarks.md).</summary>
    public static class Defaults
    {
        public static readonly int[] Widths = [32, 64, 128];
        public const int ConvsPerBlock = 2;
        public const RecurrentKind Recurrent = RecurrentKind.Lstm;
        public const int RecurrentHidden = 128;
        public const int RecurrentLayers = 1;
        public const double ConvDropout = 0.1;
        public const double Dropout = 0.3;
    }

    /// <summary>
    /// The compact preset: half the channels (conv 16-32-64 x2) and half the recurrent size (BiLSTM 64), about a
    /// quarter of the default's multiply-accumulates; see the model card for what it costs in accuracy.
    /// </summary>
    public static class Compact
    {
        public static readonly int[] Widths = [16, 32, 64];
        public const int RecurrentHidden = 64;
    }

    [JsonConstructor]
    public CrnnArchitecture(int classCount, int[]? widths = null, int convsPerBlock = Defaults.ConvsPerBlock,
        RecurrentKind recurrent = Defaults.Recurrent, int recurrentHidden = Defaults.RecurrentHidden,
        int recurrentLayers = Defaults.RecurrentLayers, double convDropout = Defaults.ConvDropout,
        double dropout = Defaults.Dropout, int inputHeight = 28, int inputWidth = 28)
    {
        widths ??= Defaults.Widths;
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "a classifier needs at least 2 classes");
        if (widths.Length is < 1 or > 5) throw new ArgumentOutOfRangeException(nameof(widths), $"1 to 5 conv blocks are supported, got {widths.Length}");
        if (widths.Any(w => w is < 1 or > 1024)) throw new ArgumentOutOfRangeException(nameof(widths), $"conv widths must be in 1..1024, got {string.Join(",", widths)}");
        if (convsPerBlock is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(convsPerBlock), convsPerBlock, "1 to 4 convolutions per block");
        if (recurrentHidden is < 1 or > 2048) throw new ArgumentOutOfRangeException(nameof(recurrentHidden), recurrentHidden, "recurrent size must be in 1..2048");
        if (recurrentLayers is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(recurrentLayers), recurrentLayers, "1 to 4 recurrent layers");
        if (convDropout is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(convDropout), convDropout, "dropout must be in [0, 1)");
        if (dropout is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "dropout must be in [0, 1)");
        if (!Enum.IsDefined(recurrent)) throw new ArgumentOutOfRangeException(nameof(recurrent), recurrent, "unknown recurrent kind");
        ClassCount = classCount;
        Widths = widths.ToArray();
        ConvsPerBlock = convsPerBlock;
        Recurrent = recurrent;
        RecurrentHidden = recurrentHidden;
        RecurrentLayers = recurrentLayers;
        ConvDropout = convDropout;
        Dropout = dropout;
        InputHeight = inputHeight;
        InputWidth = inputWidth;
        if (FeatureHeight < 1 || SequenceLength < 1)
            throw new ArgumentOutOfRangeException(nameof(widths), $"{widths.Length} blocks pool a {inputHeight}x{inputWidth} input away to nothing");
    }

    public int ClassCount { get; }
    public int[] Widths { get; }
    public int ConvsPerBlock { get; }
    [JsonConverter(typeof(JsonStringEnumConverter<RecurrentKind>))]
    public RecurrentKind Recurrent { get; }
    public int RecurrentHidden { get; }
    public int RecurrentLayers { get; }
    public double ConvDropout { get; }
    public double Dropout { get; }
    public int InputHeight { get; }
    public int InputWidth { get; }

    /// <summary>
    /// Max-pool kernel of block <paramref name="block"/>: the first two blocks halve both axes, later
    /// blocks only the height, so the width survives as a sequence of columns (7 for 28 px).
    /// </summary>
    public (int H, int W) PoolOf(int block) => block < 2 ? (2, 2) : (2, 1);

    [JsonIgnore] public int FeatureHeight => Enumerable.Range(0, Widths.Length).Aggregate(InputHeight, (h, b) => h / PoolOf(b).H);
    [JsonIgnore] public int SequenceLength => Enumerable.Range(0, Widths.Length).Aggregate(InputWidth, (w, b) => w / PoolOf(b).W);
    [JsonIgnore] public int SequenceFeatures => Widths[^1] * FeatureHeight;
    [JsonIgnore] public int GateCount => Recurrent == RecurrentKind.Lstm ? 4 : 3;

    /// <summary>Multiply-accumulates for one image in a forward pass (convolutions, recurrent layer, classifier).</summary>
    public long MultiplyAccumulates()
    {
        long macs = 0;
        int h = InputHeight, w = InputWidth, c = 1;
        for (int b = 0; b < Widths.Length; b++)
        {
            for (int k = 0; k < ConvsPerBlock; k++)
            {
                macs += (long)h * w * Widths[b] * c * 9;
                c = Widths[b];
            }
            var (ph, pw) = PoolOf(b);
            h /= ph; w /= pw;
        }
        int input = SequenceFeatures;
        for (int layer = 0; layer < RecurrentLayers; layer++)
        {
            macs += 2L * SequenceLength * GateCount * RecurrentHidden * (input + RecurrentHidden);
            input = 2 * RecurrentHidden;
        }
        macs += 2L * RecurrentHidden * ClassCount;
        return macs;
    }

    /// <summary>Short human-readable summary, e.g. <c>conv 32-64-128 x2, BiLSTM 128, 10 classes</c>.</summary>
    public override string ToString() =>
        $"conv {string.Join("-", Widths)} x{ConvsPerBlock}, Bi{Recurrent.ToString().ToUpperInvariant()} {RecurrentHidden}" +
        (RecurrentLayers > 1 ? $" x{RecurrentLayers}" : "") + $", {ClassCount} classes";

    public bool Equals(CrnnArchitecture? other) => other is not null && ToString() == other.ToString()
        && ConvDropout == other.ConvDropout && Dropout == other.Dropout && InputHeight == other.InputHeight && InputWidth == other.InputWidth;

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
