namespace Crnn.MLNet.Training.Realism;

/// <summary>What synthesised paper is made of, shared by the crop and line synthesisers: grain and a guilloche pattern.</summary>
internal static class PaperPattern
{
    /// <summary>
    /// How much a guilloche-like pattern (thin wavy lines, dark where the wave is near its crest) of the given
    /// <paramref name="strength"/> (gray levels) darkens the paper at (x, y): the lines run along the direction
    /// (cos, sin), <paramref name="period"/> pixels apart.
    /// </summary>
    public static double Guilloche(double strength, double x, double y, double cos, double sin, double period, double phase)
    {
        double u = x * cos + y * sin, v = -x * sin + y * cos;
        double wave = Math.Sin((u + 3 * Math.Sin(v / (2 * period))) * 2 * Math.PI / period + phase);
        return strength * Math.Max(0, wave - 0.6) / 0.4;
    }

    /// <summary>A standard normal draw (Box-Muller), for paper grain and scanner noise.</summary>
    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
