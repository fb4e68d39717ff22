using Crnn.MLNet.Imaging;
using Microsoft.ML.Transforms;

namespace Crnn.MLNet.Transforms.SavedForm;

/// <summary>
/// The saved character normaliser: one factory per kind of input column (ML.NET binds a factory to one row type);
/// every setting comes from the row's settings column, so no combination of settings needs a class of its own.
/// Pixels come out in 0..1 (MNIST polarity); the saved pipeline applies the model's mean and std after it.
/// </summary>
internal abstract class CharacterFactory<TSrc> : CustomMappingFactory<TSrc, NormalizedRow> where TSrc : class, new()
{
    private protected sealed class State(CharacterConfig config)
    {
        public CharacterConfig Config { get; } = config;
        public HandwritingNormalizer Normalizer { get; } = config.CreateNormalizer();
        public ImageInput Input { get; } = new(config.MaxImagePixels);
        public BadImageHandling BadImages { get; } = SavedNames.BadImages(config.BadImages);
    }

    private protected abstract string Settings(TSrc src);

    private protected abstract void Normalize(TSrc src, State state, float[] output);

    public override Action<TSrc, NormalizedRow> GetMapping()
    {
        var local = new ThreadLocal<ConfigCache<State>>(() => new ConfigCache<State>(s => new State(SavedConfig.Decode<CharacterConfig>(s))));
        const int size = CrnnSavedForms.Height * CrnnSavedForms.Width;
        return (src, dst) =>
        {
            var state = local.Value!.Get(Settings(src));
            var output = new float[size];
            dst.CrnnError = "";
            try
            {
                Normalize(src, state, output);
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException or InvalidOperationException or NotSupportedException)
            {
                if (state.BadImages == BadImageHandling.Throw) throw ImageInput.Located(e, state.Config.Where);
                dst.CrnnError = e.Message;
                Array.Fill(output, float.NaN);
            }
            dst.CrnnPixels = output;
        };
    }
}

[CustomMappingFactoryAttribute(Contract)]
internal sealed class PathCharacterFactory : CharacterFactory<PathSourceRow>
{
    public const string Contract = "Crnn.Normalize.Path.v2";

    private protected override string Settings(PathSourceRow src) => src.CrnnConfig;

    private protected override void Normalize(PathSourceRow src, State state, float[] output) =>
        state.Input.Character(state.Normalizer, src.CrnnSource, state.Config.Where, output);
}

[CustomMappingFactoryAttribute(Contract)]
internal sealed class ImageCharacterFactory : CharacterFactory<ImageSourceRow>
{
    public const string Contract = "Crnn.Normalize.Image.v2";

    private protected override string Settings(ImageSourceRow src) => src.CrnnConfig;

    private protected override void Normalize(ImageSourceRow src, State state, float[] output) =>
        state.Input.Character(state.Normalizer, src.CrnnSource, state.Config.Where, output);
}

[CustomMappingFactoryAttribute(Contract)]
internal sealed class PixelCharacterFactory : CharacterFactory<PixelSourceRow>
{
    public const string Contract = "Crnn.Normalize.Pixels.v2";

    private protected override string Settings(PixelSourceRow src) => src.CrnnConfig;

    private protected override void Normalize(PixelSourceRow src, State state, float[] output)
    {
        if (src.CrnnSource.Length != output.Length)
            throw new InvalidDataException($"{state.Config.Where}: expected {output.Length} pixels, got {src.CrnnSource.Length}.");
        state.Normalizer.Normalize(src.CrnnSource, CrnnSavedForms.Width, CrnnSavedForms.Height, output);
    }
}
