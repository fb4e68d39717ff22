namespace Crnn.MLNet.Model;

/// <summary>
/// The predicted class of a score vector. Kept apart from the ML.NET transforms so that the plain recogniser
/// (e.g. <c>crnn predict</c>) does not load ML.NET's assemblies just to pick a class.
/// </summary>
internal static class CrnnArgMax
{
    /// <summary>Index of the largest score (first on ties), or -1 when any score is NaN or the vector is sparse/empty.</summary>
    public static int Of(ReadOnlySpan<float> values, bool dense)
    {
        if (!dense || values.IsEmpty) return -1;
        int best = 0;
        float max = values[0];
        if (float.IsNaN(max)) return -1;
        for (int i = 1; i < values.Length; i++)
        {
            float v = values[i];
            if (float.IsNaN(v)) return -1;
            if (v > max) { max = v; best = i; }
        }
        return best;
    }
}
