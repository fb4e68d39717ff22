using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crnn.MLNet.Model;

/// <summary>
/// Everything a CRNN ONNX model says about itself, stored as JSON under the ONNX metadata key
/// <see cref="MetadataKey"/>. The exporter writes it; the recogniser and the ML.NET transforms
/// read it, so a model needs no other configuration.
/// </summary>
public sealed record CrnnModelMetadata
{
    /// <summary>ONNX <c>metadata_props</c> key holding this record as JSON.</summary>
    public const string MetadataKey = "crnn.metadata";

    /// <summary>The format version this library writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Version of this metadata format.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Task: <c>classification</c> (one character per image).</summary>
    public string Task { get; init; } = "classification";

    /// <summary>Class labels in the model's output order (one string each, usually one character).</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>Dataset the model was trained on, e.g. <c>mnist</c>.</summary>
    public required string Dataset { get; init; }

    /// <summary>Name and layout of the single input tensor.</summary>
    public required CrnnInputSpec Input { get; init; }

    /// <summary>Names of the output tensors.</summary>
    public required CrnnOutputSpec Output { get; init; }

    /// <summary>How pixel values in [0, 1] become model inputs.</summary>
    public required CrnnNormalization Normalization { get; init; }

    /// <summary>How a raw image of a character becomes a 28 x 28 input.</summary>
    public required CrnnPreprocessing Preprocessing { get; init; }

    /// <summary>Architecture summary (free-form, for people and tools).</summary>
    public IReadOnlyDictionary<string, JsonElement>? Architecture { get; init; }

    /// <summary>Accuracy figures measured at training time (fractions in [0, 1]).</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>Producer and version, e.g. <c>Crnn.MLNet 0.1.0</c>.</summary>
    public string? Producer { get; init; }

    /// <summary>
    /// For an int8 model written by <c>crnn quantize</c>: how it was quantised (weights, activations, the calibration
    /// method chosen and each method's validation accuracy); <c>null</c> for a float model.
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement>? Quantization { get; init; }

    // Values echoed in errors are cut short: a hostile file must not make a message huge.
    private static string Clip(string? s) => s is null ? "null" : s.Length <= 40 ? s : s[..40] + "…";

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
        MaxDepth = 16,
    };

    /// <summary>Serialises to the JSON stored in the model.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses and validates metadata JSON; <paramref name="source"/> names the model in errors.</summary>
    /// <exception cref="InvalidDataException">The JSON is malformed or describes an unusable model.</exception>
    public static CrnnModelMetadata FromJson(string json, string source) => FromJson(json, source, null);

    /// <summary>Parses and validates metadata JSON within <paramref name="limits"/> (<see cref="CrnnModelLimits.Default"/> when null).</summary>
    /// <exception cref="InvalidDataException">The JSON is too large, malformed or describes an unusable model.</exception>
    public static CrnnModelMetadata FromJson(string json, string source, CrnnModelLimits? limits)
    {
        ArgumentNullException.ThrowIfNull(json);
        limits ??= CrnnModelLimits.Default;
        // Checked before parsing; a char is at most 3 UTF-8 bytes, so the cheap length test settles most cases.
        if ((long)json.Length > limits.MaxMetadataBytes)
        {
            int bytes = System.Text.Encoding.UTF8.GetByteCount(json);
            if (bytes > limits.MaxMetadataBytes)
                throw new InvalidDataException($"{source}: metadata '{MetadataKey}' is {bytes:N0} bytes of JSON, more than the limit of {limits.MaxMetadataBytes:N0} (option MaxMetadataBytes).");
        }
        CrnnModelMetadata? m;
        try
        {
            m = JsonSerializer.Deserialize<CrnnModelMetadata>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: metadata '{MetadataKey}' is not valid JSON for a CRNN model: {e.Message}", e);
        }
        if (m is null) throw new InvalidDataException($"{source}: metadata '{MetadataKey}' is empty.");
        m.Validate(source, limits);
        return m;
    }

    /// <summary>Checks internal consistency; throws <see cref="InvalidDataException"/> naming <paramref name="source"/>.</summary>
    public void Validate(string source) => Validate(source, null);

    /// <summary>Checks internal consistency and <paramref name="limits"/> (<see cref="CrnnModelLimits.Default"/> when null).</summary>
    public void Validate(string source, CrnnModelLimits? limits)
    {
        limits ??= CrnnModelLimits.Default;
        void Fail(string what) => throw new InvalidDataException($"{source}: metadata '{MetadataKey}': {what}");
        if (FormatVersion != CurrentFormatVersion) Fail($"format version {FormatVersion} is not supported (expected {CurrentFormatVersion}).");
        if (Task != "classification") Fail($"task '{Clip(Task)}' is not supported (expected 'classification').");
        if (Dataset is null) Fail("dataset is missing.");
        if (Labels is null || Labels.Count < 2) Fail("needs at least two labels.");
        if (Labels!.Count > limits.MaxLabels) Fail($"{Labels.Count} labels, more than the limit of {limits.MaxLabels} (option MaxLabels).");
        if (Labels!.Any(string.IsNullOrEmpty)) Fail("labels must not be empty.");
        if (Labels!.Any(l => l.Length > limits.MaxLabelLength)) Fail($"a label is longer than the limit of {limits.MaxLabelLength} characters (option MaxLabelLength).");
        if (Labels!.Distinct(StringComparer.Ordinal).Count() != Labels!.Count) Fail("labels must be distinct.");
        if (Input is null) Fail("input is missing.");
        if (Input!.Height <= 0 || Input.Width <= 0 || Input.Channels != 1) Fail($"input must be 1 channel with positive size, got {Input.Channels}x{Input.Height}x{Input.Width}.");
        if (Input.Height > limits.MaxInputSide || Input.Width > limits.MaxInputSide)
            Fail($"input size {Input.Height}x{Input.Width} is above the limit of {limits.MaxInputSide} per side (option MaxInputSide).");
        if (string.IsNullOrEmpty(Input.Name)) Fail("input name is missing.");
        if (Output is null || string.IsNullOrEmpty(Output.Probabilities) || string.IsNullOrEmpty(Output.Logits)) Fail("output names are missing.");
        // Bounded so that (v - mean) / std stays finite in float for every pixel value.
        if (Normalization is null || !(Normalization.Std >= 1e-6 && Normalization.Std <= 1e6) || !(Math.Abs(Normalization.Mean) <= 1e6))
            Fail("normalisation needs a mean within ±1e6 and a std within 1e-6..1e6.");
        if (Preprocessing is null) Fail("preprocessing is missing.");
        if (Preprocessing!.FitBox <= 0 || Preprocessing.FitBox > Input.Height || Preprocessing.FitBox > Input.Width)
            Fail($"preprocessing fit box {Preprocessing.FitBox} must be positive and fit the {Input.Height}x{Input.Width} input.");
        if (Preprocessing.Polarity != "light-on-dark")
            Fail($"preprocessing polarity '{Clip(Preprocessing.Polarity)}' is not supported (expected 'light-on-dark').");
        if (Preprocessing.Centering is not (CrnnCentering.CenterOfMass or CrnnCentering.BoundingBox))
            Fail($"unknown centering '{Preprocessing.Centering}'.");
    }
}

/// <summary>The model's input tensor: <c>N x Channels x Height x Width</c>, float32, batch axis dynamic.</summary>
public sealed record CrnnInputSpec
{
    public string Name { get; init; } = "input";
    public string Layout { get; init; } = "NCHW";
    public int Channels { get; init; } = 1;
    public int Height { get; init; } = 28;
    public int Width { get; init; } = 28;
}

/// <summary>The model's outputs: <c>N x Classes</c> logits and softmax probabilities.</summary>
public sealed record CrnnOutputSpec
{
    public string Logits { get; init; } = "logits";
    public string Probabilities { get; init; } = "probabilities";
}

/// <summary>Input = (pixel / 255 - Mean) / Std, with ink bright (MNIST polarity).</summary>
public sealed record CrnnNormalization
{
    public double Mean { get; init; }
    public double Std { get; init; } = 1;
}

/// <summary>How the model expects a character to sit in its input (MNIST convention by default).</summary>
public sealed record CrnnPreprocessing
{
    /// <summary>Ink polarity of model inputs: <c>light-on-dark</c> (MNIST: white ink, black paper).</summary>
    public string Polarity { get; init; } = "light-on-dark";

    /// <summary>The ink's bounding box is scaled, keeping aspect ratio, to fit a square of this size.</summary>
    public int FitBox { get; init; } = 20;

    /// <summary>How the fitted ink is placed in the input.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<CrnnCentering>))]
    public CrnnCentering Centering { get; init; } = CrnnCentering.CenterOfMass;
}

/// <summary>Placement of the ink in the input canvas.</summary>
public enum CrnnCentering
{
    /// <summary>Centre of mass at the canvas centre (MNIST).</summary>
    CenterOfMass,
    /// <summary>Bounding box centred on the canvas.</summary>
    BoundingBox,
}
