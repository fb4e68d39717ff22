namespace Crnn.MLNet.Hosting.Contracts;

/// <summary>
/// The picture the model was given after normalisation, as 8-bit grayscale, row-major (<c>pixels</c> is base64 in JSON):
/// ink bright on black, as the model sees it.
/// </summary>
public sealed record ModelInputView(int Width, int Height, byte[] Pixels)
{
    /// <summary>The view of a model input normalised as <c>(v - mean) / std</c> from values in 0..1.</summary>
    public static ModelInputView FromNormalized(ReadOnlySpan<float> input, int width, int height, Model.CrnnNormalization normalization)
    {
        var pixels = new byte[input.Length];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)Math.Clamp(Math.Round((input[i] * normalization.Std + normalization.Mean) * 255), 0, 255);
        return new ModelInputView(width, height, pixels);
    }
}
