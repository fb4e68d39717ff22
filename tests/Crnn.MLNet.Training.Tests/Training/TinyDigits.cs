using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Training.Tests.Training;

/// <summary>A few hundred 28 x 28 character images built in memory, for training runs that need no dataset files.</summary>
internal static class TinyDigits
{
    /// <summary>Class c ("0".."9") is a bright vertical bar at column 4 + 2c on faint noise; labels cycle 0..9.</summary>
    public static CharacterDataset Create(int count = 300, int seed = 7)
    {
        var rng = new Random(seed);
        var pixels = new byte[count * 28 * 28];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % 10;
            var image = pixels.AsSpan(i * 28 * 28, 28 * 28);
            for (int p = 0; p < image.Length; p++) image[p] = (byte)rng.Next(0, 40);
            for (int y = 4; y < 24; y++) image[y * 28 + 4 + 2 * labels[i]] = 255;
        }
        return new CharacterDataset("tiny-digits", pixels, labels, 28, 28, Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray());
    }
}
