namespace Crnn.MLNet.Hosting.Contracts;

/// <summary>
/// The picture the model was given after normalisation, as 8-bit grayscale, row-major (<c>pixels</c> is base64 in JSON):
/// ink bright on black, as the model sees it.
/// </summary>
public sealed record ModelInputView(int Width, int Height, byte[] Pixels);
