using System.ComponentModel;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Image;

namespace Crnn.MLNet.Transforms.SavedForm;

// Rows and factories of the saved (ML.NET-only) form of the CRNN transforms; see CrnnSavedForms.
// Public because ML.NET's custom mapping creates them by reflection; not meant to be used directly.
#pragma warning disable CS1591

[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CrnnPathSource { public string CrnnSource = ""; }

[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CrnnImageSource { [AnySizeImage] public MLImage? CrnnSource; }

[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CrnnPixelSource { [VectorType(CrnnSavedForms.Height * CrnnSavedForms.Width)] public float[] CrnnSource = []; }

[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CrnnNormalizedRow
{
    [VectorType(CrnnSavedForms.Height * CrnnSavedForms.Width)] public float[] CrnnPixels = [];
    public string CrnnError = "";
}

[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CrnnScoreSource { public float[] CrnnScore = []; }

[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CrnnClassRow { public uint CrnnClass; }

/// <summary>Normalises to pixels in 0..1 (MNIST polarity); the saved pipeline applies the model's mean and std after it.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class CrnnNormalizeFactory<TSrc> : CustomMappingFactory<TSrc, CrnnNormalizedRow> where TSrc : class, new()
{
    private static readonly CrnnModelMetadata s_geometry = new()
    {
        Labels = ["0", "1"],
        Dataset = "saved-form",
        Input = new CrnnInputSpec { Height = CrnnSavedForms.Height, Width = CrnnSavedForms.Width },
        Output = new CrnnOutputSpec(),
        Normalization = new CrnnNormalization { Mean = 0, Std = 1 },
        Preprocessing = new CrnnPreprocessing { FitBox = CrnnSavedForms.FitBox, Centering = CrnnCentering.CenterOfMass },
    };

    private readonly InkPolarity _polarity;
    private readonly CharacterFraming _framing;
    private readonly BadImageHandling _badImages;

    protected CrnnNormalizeFactory(InkPolarity polarity, CharacterFraming framing, BadImageHandling badImages)
    {
        _polarity = polarity;
        _framing = framing;
        _badImages = badImages;
    }

    public override Action<TSrc, CrnnNormalizedRow> GetMapping()
    {
        var local = new ThreadLocal<(HandwritingNormalizer, GrayImage)>(() => (new HandwritingNormalizer(s_geometry, _polarity, _framing), new GrayImage()));
        const int size = CrnnSavedForms.Height * CrnnSavedForms.Width;
        return (src, dst) =>
        {
            var (normalizer, gray) = local.Value;
            var output = new float[size];
            dst.CrnnError = "";
            try
            {
                switch (src)
                {
                    case CrnnPathSource p:
                        if (string.IsNullOrWhiteSpace(p.CrnnSource)) throw new InvalidDataException("the image path is empty.");
                        CrnnImageDecoder.DecodeFile(p.CrnnSource, CrnnDefaults.MaxImagePixels, gray);
                        normalizer.Normalize(gray.Pixels, gray.Width, gray.Height, output);
                        break;
                    case CrnnImageSource i:
                        var image = i.CrnnSource ?? throw new InvalidDataException("the image is missing (null).");
                        normalizer.NormalizeColor(image.Pixels, image.Width, image.Height, image.PixelFormat == MLPixelFormat.Bgra32, output);
                        break;
                    case CrnnPixelSource v:
                        if (v.CrnnSource.Length != size) throw new InvalidDataException($"expected {size} pixels, got {v.CrnnSource.Length}.");
                        normalizer.Normalize(v.CrnnSource, CrnnSavedForms.Width, CrnnSavedForms.Height, output);
                        break;
                }
            }
            catch (Exception e) when (_badImages == BadImageHandling.Skip && e is InvalidDataException or ArgumentException or IOException or InvalidOperationException)
            {
                dst.CrnnError = e.Message;
                Array.Fill(output, float.NaN);
            }
            dst.CrnnPixels = output;
        };
    }
}

[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(Contract)]
public sealed class ArgMaxFactory : CustomMappingFactory<CrnnScoreSource, CrnnClassRow>
{
    public const string Contract = "Crnn.ArgMax.v1";

    public override Action<CrnnScoreSource, CrnnClassRow> GetMapping() => (src, dst) =>
    {
        int best = CrnnLabelMappingTransformer.ArgMax(src.CrnnScore, true);
        dst.CrnnClass = best < 0 ? uint.MaxValue : (uint)best;
    };
}
#pragma warning restore CS1591
