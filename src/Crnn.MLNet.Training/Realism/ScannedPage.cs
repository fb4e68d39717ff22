namespace Crnn.MLNet.Training.Realism;

/// <summary>A synthesised picture as a scanner would deliver it: 8-bit grayscale, row-major, dark ink on paper.</summary>
public sealed record ScannedPage(byte[] Pixels, int Width, int Height);
