using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Crnn.MLNet.Decoding;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;

namespace Crnn.MLNet.Transforms.SavedForm;

/// <summary>
/// Settings of a saved CRNN transform. ML.NET gives a custom-mapping factory no parameters, so the saved pipeline
/// carries them as data: a constant text column (base64 of this JSON, an ML.NET <c>Expression</c> literal) that the
/// factory reads with every row and parses once per thread. JSON names are fixed here, independent of C# names.
/// </summary>
internal abstract record SavedConfig
{
    private static readonly JsonSerializerOptions s_json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The input column's name when saved, for error messages.</summary>
    [JsonPropertyName("column")] public required string Column { get; init; }

    [JsonPropertyName("polarity")] public required string Polarity { get; init; }

    [JsonPropertyName("maxImagePixels")] public required long MaxImagePixels { get; init; }

    /// <summary>The model's own metadata JSON (the format of the ONNX <c>crnn.metadata</c> entry).</summary>
    [JsonPropertyName("metadata")] public required string Metadata { get; init; }

    public string Encode() => Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, GetType(), s_json)));

    public static T Decode<T>(string encoded) where T : SavedConfig
    {
        try
        {
            return JsonSerializer.Deserialize<T>(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)), s_json)
                ?? throw new InvalidDataException("saved CRNN transform: its settings are empty.");
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new InvalidDataException($"saved CRNN transform: its settings cannot be read ({e.Message}).", e);
        }
    }

    /// <summary>Where an input value came from, for errors (the saved form sees no row numbers).</summary>
    public string Where => $"column '{Column}'";
}

/// <summary>Settings of a saved character normaliser.</summary>
internal sealed record CharacterConfig : SavedConfig
{
    [JsonPropertyName("framing")] public required string Framing { get; init; }

    [JsonPropertyName("badImages")] public required string BadImages { get; init; }

    [JsonPropertyName("cleanup")] public required string Cleanup { get; init; }

    public static CharacterConfig From(CrnnNormalizingTransformer t)
    {
        var m = t.Model.Metadata;
        // Only what the normaliser reads: geometry and preprocessing (labels and the rest stay in the ONNX model).
        var geometry = new CrnnModelMetadata
        {
            Labels = ["0", "1"],
            Dataset = "saved-form",
            Input = m.Input,
            Output = new CrnnOutputSpec(),
            Normalization = new CrnnNormalization { Mean = 0, Std = 1 },
            Preprocessing = m.Preprocessing,
        };
        return new CharacterConfig
        {
            Column = t.Options.InputColumnName,
            Polarity = SavedNames.Of(t.Options.Polarity),
            Framing = SavedNames.Of(t.Framing),
            BadImages = SavedNames.Of(t.Options.BadImages),
            Cleanup = SavedNames.Of(t.Options.Cleanup),
            MaxImagePixels = t.Options.MaxImagePixels,
            Metadata = geometry.ToJson(),
        };
    }

    public HandwritingNormalizer CreateNormalizer() =>
        new(CrnnModelMetadata.FromJson(Metadata, "saved CRNN normaliser"), SavedNames.Polarity(Polarity), SavedNames.Framing(Framing), SavedNames.Cleanup(Cleanup));
}

/// <summary>Settings of a saved text recogniser: the line normaliser's and the CTC decoder's.</summary>
internal sealed record LineConfig : SavedConfig
{
    [JsonPropertyName("decoding")] public required string Mode { get; init; }

    [JsonPropertyName("beamWidth")] public required int BeamWidth { get; init; }

    [JsonPropertyName("alphabet")] public string? Alphabet { get; init; }

    [JsonPropertyName("pattern")] public string? Pattern { get; init; }

    [JsonPropertyName("alternatives")] public required int Alternatives { get; init; }

    [JsonPropertyName("cleanup")] public required string Cleanup { get; init; }

    public static LineConfig From(CrnnTextRecognizingTransformer t)
    {
        var d = t.Options.Decoding;
        return new LineConfig
        {
            Column = t.Options.InputColumnName,
            Polarity = SavedNames.Of(t.Options.Polarity),
            MaxImagePixels = t.Options.MaxImagePixels,
            Metadata = t.Model.Metadata.ToJson(),
            Mode = SavedNames.Of(d.Mode),
            BeamWidth = d.BeamWidth,
            Alphabet = d.Alphabet,
            Pattern = d.Pattern,
            Alternatives = d.Alternatives,
            Cleanup = SavedNames.Of(t.Options.Cleanup),
        };
    }

    public CrnnLineModelMetadata ReadMetadata() => CrnnLineModelMetadata.FromJson(Metadata, "saved CRNN text recogniser");

    public CrnnCtcDecoder CreateDecoder() => new(ReadMetadata().Labels, new CrnnCtcDecodingOptions
    {
        Mode = SavedNames.DecodingMode(Mode),
        BeamWidth = BeamWidth,
        Alphabet = Alphabet,
        Pattern = Pattern,
        Alternatives = Alternatives,
    });
}

/// <summary>A parsed config and what is built from it, kept per thread until the config text changes.</summary>
internal sealed class ConfigCache<T>(Func<string, T> create) where T : class
{
    private string? _key;
    private T? _value;

    public T Get(string encoded)
    {
        if (_value is null || !string.Equals(encoded, _key, StringComparison.Ordinal))
        {
            _value = create(encoded);
            _key = encoded;
        }
        return _value;
    }
}
