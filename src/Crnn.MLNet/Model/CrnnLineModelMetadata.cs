using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crnn.MLNet.Model;

/// <summary>
/// What a CRNN line (CTC) ONNX model says about itself, stored as JSON under the same ONNX metadata key as the
/// classifier's (<see cref="CrnnModelMetadata.MetadataKey"/>) with <see cref="Task"/> = <see cref="TaskName"/>.
/// </summary>
/// <remarks>
/// The graph: input <c>[N, 1, Height, W]</c> float32 with the batch and width axes dynamic; output
/// <see cref="CrnnLineOutputSpec.LogProbabilities"/> <c>[N, T, Labels.Count + 1]</c> float32, log-softmax over the
/// last axis, <c>T = W / TimeStepWidth</c> (rounded down). Class <see cref="BlankIndex"/> (0) is the CTC blank and
/// class <c>k + 1</c> is <c>Labels[k]</c>.
/// </remarks>
public sealed record CrnnLineModelMetadata
{
    /// <summary>The <see cref="Task"/> value of line models.</summary>
    public const string TaskName = "line-ctc";

    /// <summary>The format version this library writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Always <see cref="TaskName"/>.</summary>
    public string Task { get; init; } = TaskName;

    /// <summary>The characters the model writes, in output order after the blank (class k + 1 is Labels[k]).</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>Output class of the CTC blank; always 0.</summary>
    public int BlankIndex { get; init; }

    /// <summary>Character dataset the lines were synthesised from, e.g. <c>mnist</c>.</summary>
    public required string Dataset { get; init; }

    public required CrnnLineInputSpec Input { get; init; }

    public required CrnnLineOutputSpec Output { get; init; }

    /// <summary>Input columns per output time step (the network's horizontal down-sampling).</summary>
    public int TimeStepWidth { get; init; } = 4;

    /// <summary>How pixel values in [0, 1] become model inputs (ink bright, as for the classifier).</summary>
    public required CrnnNormalization Normalization { get; init; }

    /// <summary>How a picture of a line becomes a model input (see <see cref="Imaging.CrnnLineNormalizer"/>).</summary>
    public required CrnnLinePreprocessing Preprocessing { get; init; }

    /// <summary>Architecture summary (free-form, for people and tools).</summary>
    public IReadOnlyDictionary<string, JsonElement>? Architecture { get; init; }

    /// <summary>Figures measured at training time (character error rate, sequence accuracy, ...).</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    public string? Producer { get; init; }

    /// <summary>Number of output classes: the labels plus the blank.</summary>
    [JsonIgnore] public int ClassCount => Labels.Count + 1;

    /// <summary>Serialises to the JSON stored in the model.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, CrnnModelMetadata.JsonOptions);

    /// <summary>Whether metadata JSON describes a line model (by its <c>task</c>), without validating the rest.</summary>
    public static bool IsLineModel(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("task", out var task) && task.ValueKind == JsonValueKind.String
                && task.GetString() == TaskName;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Parses and validates metadata JSON within <paramref name="limits"/>; <paramref name="source"/> names the model in errors.</summary>
    /// <exception cref="InvalidDataException">The JSON is too large, malformed or describes an unusable model.</exception>
    public static CrnnLineModelMetadata FromJson(string json, string source, CrnnModelLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        limits ??= CrnnModelLimits.Default;
        if ((long)json.Length > limits.MaxMetadataBytes && System.Text.Encoding.UTF8.GetByteCount(json) > limits.MaxMetadataBytes)
            throw new InvalidDataException($"{source}: metadata '{CrnnModelMetadata.MetadataKey}' is more than the limit of {limits.MaxMetadataBytes:N0} bytes (option MaxMetadataBytes).");
        CrnnLineModelMetadata? m;
        try
        {
            m = JsonSerializer.Deserialize<CrnnLineModelMetadata>(json, CrnnModelMetadata.JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: metadata '{CrnnModelMetadata.MetadataKey}' is not valid JSON for a CRNN line model: {e.Message}", e);
        }
        if (m is null) throw new InvalidDataException($"{source}: metadata '{CrnnModelMetadata.MetadataKey}' is empty.");
        m.Validate(source, limits);
        return m;
    }

    /// <summary>Checks internal consistency and limits; throws <see cref="InvalidDataException"/> naming <paramref name="source"/>.</summary>
    public void Validate(string source, CrnnModelLimits? limits = null)
    {
        limits ??= CrnnModelLimits.Default;
        void Fail(string what) => throw new InvalidDataException($"{source}: metadata '{CrnnModelMetadata.MetadataKey}': {what}");
        if (FormatVersion != CurrentFormatVersion) Fail($"format version {FormatVersion} is not supported (expected {CurrentFormatVersion}).");
        if (Task != TaskName) Fail($"task '{Clip(Task)}' is not a line model (expected '{TaskName}').");
        if (Dataset is null) Fail("dataset is missing.");
        if (Labels is null || Labels.Count < 1) Fail("needs at least one label.");
        if (Labels!.Count + 1 > limits.MaxLabels) Fail($"{Labels.Count} labels, more than the limit of {limits.MaxLabels} (option MaxLabels).");
        if (Labels.Any(l => l is null)) Fail("a label is missing (null).");
        // Decoded text is the concatenation of labels: each must write some text, and no two the same.
        if (Decoding.CrnnCtcDecoder.LabelProblem(Labels) is { } problem) Fail(problem);
        if (BlankIndex != 0) Fail($"blank index {BlankIndex} is not supported (expected 0).");
        if (Input is null) Fail("input is missing.");
        if (string.IsNullOrEmpty(Input!.Name)) Fail("input name is missing.");
        if (Input.Channels != 1 || Input.Layout != "NCHW") Fail($"input must be 1-channel NCHW, got {Input.Channels} channels, layout '{Clip(Input.Layout)}'.");
        if (Input.Height < 8 || Input.Height > limits.MaxInputSide) Fail($"input height {Input.Height} must be in 8..{limits.MaxInputSide}.");
        if (TimeStepWidth is < 1 or > 64) Fail($"time step width {TimeStepWidth} must be in 1..64.");
        if (Input.MinWidth < TimeStepWidth || Input.MinWidth > Input.MaxWidth) Fail($"input widths {Input.MinWidth}..{Input.MaxWidth} must start at the time step width {TimeStepWidth} or above.");
        if (Input.MaxWidth > 16 * limits.MaxInputSide) Fail($"input max width {Input.MaxWidth} is above the limit of {16 * limits.MaxInputSide} (16 x option MaxInputSide).");
        if (Output is null || string.IsNullOrEmpty(Output.LogProbabilities)) Fail("output name is missing.");
        if (Output!.LogProbabilities == Input.Name) Fail("input and output names must differ.");
        if (Normalization is null || !(Normalization.Std >= 1e-6 && Normalization.Std <= 1e6) || !(Math.Abs(Normalization.Mean) <= 1e6))
            Fail("normalisation needs a mean within ±1e6 and a std within 1e-6..1e6.");
        if (Preprocessing is null) Fail("preprocessing is missing.");
        if (Preprocessing!.Polarity != "light-on-dark") Fail($"preprocessing polarity '{Clip(Preprocessing.Polarity)}' is not supported (expected 'light-on-dark').");
        if (Preprocessing.InkHeight < 4 || Preprocessing.InkHeight > Input.Height)
            Fail($"preprocessing ink height {Preprocessing.InkHeight} must be in 4..{Input.Height} (the input height).");
        if (Preprocessing.Margin < 0 || Preprocessing.Margin > 64) Fail($"preprocessing margin {Preprocessing.Margin} must be in 0..64.");
    }

    private static string Clip(string? s) => s is null ? "null" : s.Length <= 40 ? s : s[..40] + "…";
}

/// <summary>A line model's input: <c>N x 1 x Height x W</c> float32, W dynamic within <see cref="MinWidth"/>..<see cref="MaxWidth"/>.</summary>
public sealed record CrnnLineInputSpec
{
    public string Name { get; init; } = "input";
    public string Layout { get; init; } = "NCHW";
    public int Channels { get; init; } = 1;
    public int Height { get; init; } = 28;

    /// <summary>Narrowest input the normaliser produces (pixels).</summary>
    public int MinWidth { get; init; } = 8;

    /// <summary>Widest input the normaliser produces; wider lines are scaled down to fit (pixels).</summary>
    public int MaxWidth { get; init; } = 2048;
}

/// <summary>A line model's output: per-time-step log-probabilities <c>N x T x Classes</c>.</summary>
public sealed record CrnnLineOutputSpec
{
    public string LogProbabilities { get; init; } = "log_probs";
    public string Layout { get; init; } = "NTC";
}

/// <summary>
/// How a line picture becomes a model input: ink bright on dark; the ink's bounding box is scaled (keeping the aspect
/// ratio) to <see cref="InkHeight"/> rows, centred vertically in the input height, with <see cref="Margin"/> empty
/// columns on each side, and the width padded up to a multiple of the time step width.
/// </summary>
public sealed record CrnnLinePreprocessing
{
    public string Polarity { get; init; } = "light-on-dark";
    public int InkHeight { get; init; } = 20;
    public int Margin { get; init; } = 4;
}
