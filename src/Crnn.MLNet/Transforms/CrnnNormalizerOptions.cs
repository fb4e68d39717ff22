using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;

namespace Crnn.MLNet.Transforms;

/// <summary>Settings of the handwriting normaliser (<see cref="CrnnCatalog.NormalizeHandwriting(Microsoft.ML.TransformsCatalog, CrnnOnnxModel, CrnnNormalizerOptions)"/>).</summary>
public sealed class CrnnNormalizerOptions
{
    /// <param name="inputColumnName">Text (image file paths), <see cref="Microsoft.ML.Data.MLImage"/>, or a vector of
    /// Height x Width pixels (<see cref="float"/> in 0..255, or <see cref="byte"/>), row-major.</param>
    /// <param name="outputColumnName">Normalised model input, Vector&lt;Single, Height x Width&gt;.</param>
    /// <param name="polarity">Ink polarity; <see cref="InkPolarity.Auto"/> decides per image from its border.</param>
    /// <param name="framing">Crop/fit/centre or not; <c>null</c>: <see cref="CharacterFraming.Fit"/> for images and
    /// paths, <see cref="CharacterFraming.None"/> for pixel vectors (which are taken to be framed like the training data).</param>
    /// <param name="badImages">Throw on an unreadable image, or keep the row with the reason in <paramref name="errorColumnName"/>.</param>
    /// <param name="errorColumnName">Error column, added only when <paramref name="badImages"/> is <see cref="BadImageHandling.Skip"/>.</param>
    /// <param name="maxImagePixels">Largest image (width x height) decoded from a path; larger ones are bad images.</param>
    /// <param name="cleanup">Clean-up of real crops before framing (<see cref="CharacterFraming.Fit"/> only): by default,
    /// dropping neighbours' fragments and specks (<see cref="CharacterCleanup.KeepCentralInk"/>); background flattening is
    /// opt-in; <see cref="CharacterCleanup.None"/> turns it off.</param>
    public CrnnNormalizerOptions(
        string inputColumnName = CrnnDefaults.InputColumnName,
        string outputColumnName = CrnnDefaults.NormalizedColumnName,
        InkPolarity polarity = CrnnDefaults.Polarity,
        CharacterFraming? framing = null,
        BadImageHandling badImages = CrnnDefaults.BadImages,
        string errorColumnName = CrnnDefaults.ErrorColumnName,
        long maxImagePixels = CrnnDefaults.MaxImagePixels,
        CharacterCleanup cleanup = CrnnDefaults.Cleanup)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(errorColumnName);
        if (!Enum.IsDefined(polarity)) throw new ArgumentOutOfRangeException(nameof(polarity), polarity, "unknown polarity");
        if (framing is { } f && !Enum.IsDefined(f)) throw new ArgumentOutOfRangeException(nameof(framing), framing, "unknown framing");
        if (!Enum.IsDefined(badImages)) throw new ArgumentOutOfRangeException(nameof(badImages), badImages, "unknown bad-image handling");
        if (maxImagePixels <= 0) throw new ArgumentOutOfRangeException(nameof(maxImagePixels), maxImagePixels, "must be positive");
        if ((cleanup & ~CharacterCleanup.All) != 0) throw new ArgumentOutOfRangeException(nameof(cleanup), cleanup, "unknown clean-up step");
        if (badImages == BadImageHandling.Skip && errorColumnName == outputColumnName)
            throw new ArgumentException($"the error column and the output column are both '{outputColumnName}'.", nameof(errorColumnName));
        InputColumnName = inputColumnName;
        OutputColumnName = outputColumnName;
        Polarity = polarity;
        Framing = framing;
        BadImages = badImages;
        ErrorColumnName = errorColumnName;
        MaxImagePixels = maxImagePixels;
        Cleanup = cleanup;
    }

    public string InputColumnName { get; }
    public string OutputColumnName { get; }
    public InkPolarity Polarity { get; }
    public CharacterFraming? Framing { get; }
    public BadImageHandling BadImages { get; }
    public string ErrorColumnName { get; }
    public long MaxImagePixels { get; }
    public CharacterCleanup Cleanup { get; }
}
