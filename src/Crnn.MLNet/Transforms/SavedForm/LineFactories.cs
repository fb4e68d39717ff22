using Crnn.MLNet.Decoding;
using Crnn.MLNet.Imaging;
using Microsoft.ML.Transforms;

namespace Crnn.MLNet.Transforms.SavedForm;

/// <summary>
/// The saved text recogniser's first step: a line image (path or <see cref="Microsoft.ML.Data.MLImage"/>) to the line
/// model's input, a vector of Height x width pixels whose width varies by line. ML.NET's <c>OnnxTransformer</c> then
/// runs the line model with batch 1 and the width taken from the vector's length.
/// </summary>
internal abstract class LineInputFactory<TSrc> : CustomMappingFactory<TSrc, LinePixelsRow> where TSrc : class, new()
{
    private protected sealed class State(LineConfig config)
    {
        public LineConfig Config { get; } = config;
        public CrnnLineNormalizer Normalizer { get; } = new(config.ReadMetadata(), SavedNames.Polarity(config.Polarity), SavedNames.LineCleanup(config.Cleanup));
        public ImageInput Input { get; } = new(config.MaxImagePixels);
    }

    private protected abstract string Settings(TSrc src);

    private protected abstract CrnnLineInput Read(TSrc src, State state);

    public override Action<TSrc, LinePixelsRow> GetMapping()
    {
        var local = new ThreadLocal<ConfigCache<State>>(() => new ConfigCache<State>(s => new State(SavedConfig.Decode<LineConfig>(s))));
        return (src, dst) =>
        {
            var state = local.Value!.Get(Settings(src));
            CrnnLineInput line;
            try
            {
                line = Read(src, state);
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException)
            {
                throw ImageInput.Located(e, state.Config.Where);
            }
            dst.CrnnLinePixels = line.Pixels.AsSpan(0, line.Height * line.Width).ToArray();
        };
    }
}

[CustomMappingFactoryAttribute(Contract)]
internal sealed class PathLineInputFactory : LineInputFactory<PathSourceRow>
{
    public const string Contract = "Crnn.LineInput.Path.v1";

    private protected override string Settings(PathSourceRow src) => src.CrnnConfig;

    private protected override CrnnLineInput Read(PathSourceRow src, State state) => state.Input.Line(state.Normalizer, src.CrnnSource, state.Config.Where);
}

[CustomMappingFactoryAttribute(Contract)]
internal sealed class ImageLineInputFactory : LineInputFactory<ImageSourceRow>
{
    public const string Contract = "Crnn.LineInput.Image.v1";

    private protected override string Settings(ImageSourceRow src) => src.CrnnConfig;

    private protected override CrnnLineInput Read(ImageSourceRow src, State state) => state.Input.Line(state.Normalizer, src.CrnnSource, state.Config.Where);
}

/// <summary>The saved text recogniser's last step: the line model's log-probabilities to text, confidence and alternatives.</summary>
[CustomMappingFactoryAttribute(Contract)]
internal sealed class CtcDecodeFactory : CustomMappingFactory<LineScoresRow, TextRow>
{
    public const string Contract = "Crnn.CtcDecode.v1";

    public override Action<LineScoresRow, TextRow> GetMapping()
    {
        var local = new ThreadLocal<ConfigCache<CrnnCtcDecoder>>(() => new ConfigCache<CrnnCtcDecoder>(s => SavedConfig.Decode<LineConfig>(s).CreateDecoder()));
        return (src, dst) =>
        {
            var decoder = local.Value!.Get(src.CrnnConfig);
            int steps = src.CrnnLineScores.Length / decoder.ClassCount;
            var result = decoder.Decode(src.CrnnLineScores, steps);
            dst.CrnnText = result.Text;
            dst.CrnnConfidence = result.Confidence;
            var chars = result.Characters;
            var alternatives = new string[chars.Count];
            for (int i = 0; i < alternatives.Length; i++) alternatives[i] = chars[i].FormatAlternatives();
            dst.CrnnAlternatives = alternatives;
        };
    }
}
