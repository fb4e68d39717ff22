using Crnn.MLNet.Transforms;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Transforms.SavedForm;

// Rows of the saved form's custom mappings. Internal: ML.NET reads and writes their fields by reflection.
// Field names are column names inside saved files: do not rename them.
#pragma warning disable CS0649 // assigned by ML.NET

/// <summary>No input: the source of the constant that carries a saved transform's settings.</summary>
internal sealed class NoColumns;

internal sealed class ZeroRow { public float CrnnZero; }

internal sealed class PathSourceRow { public string CrnnSource = ""; public string CrnnConfig = ""; }

internal sealed class ImageSourceRow { [AnySizeImage] public MLImage? CrnnSource; public string CrnnConfig = ""; }

internal sealed class PixelSourceRow { [VectorType(CrnnSavedForms.Height * CrnnSavedForms.Width)] public float[] CrnnSource = []; public string CrnnConfig = ""; }

internal sealed class NormalizedRow
{
    [VectorType(CrnnSavedForms.Height * CrnnSavedForms.Width)] public float[] CrnnPixels = [];
    public string CrnnError = "";
}

/// <summary>A normalised line: Height x width pixels, row-major; the width varies by line.</summary>
internal sealed class LinePixelsRow { public float[] CrnnLinePixels = []; }

internal sealed class LineScoresRow { public float[] CrnnLineScores = []; public string CrnnConfig = ""; }

internal sealed class TextRow
{
    public string CrnnText = "";
    public float CrnnConfidence;
    public string[] CrnnAlternatives = [];
}

internal sealed class ScoreRow { public float[] CrnnScore = []; }

internal sealed class ClassRow { public uint CrnnClass; }
#pragma warning restore CS0649
