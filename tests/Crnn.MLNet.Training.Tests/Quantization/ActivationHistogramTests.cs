using Crnn.MLNet.Training.Quantization;

namespace Crnn.MLNet.Training.Tests.Quantization;

public sealed class ActivationHistogramTests
{
    /// <summary>
    /// Half exact zeros (as after a ReLU), the rest exponential with mean 0.1 (peaked near 0 like real activations),
    /// plus ten outliers at 50.
    /// </summary>
    private static ActivationHistogram WithOutliers()
    {
        var rng = new Random(3);
        var values = new float[200_000];
        for (int i = 0; i < values.Length; i++) values[i] = i % 2 == 0 ? 0 : (float)(-0.1 * Math.Log(1 - rng.NextDouble()));
        for (int i = 1; i < 20; i += 2) values[i * 1000] = 50;
        var h = new ActivationHistogram("relu");
        h.ObserveMax(values);
        h.Add(values);
        return h;
    }

    [Fact]
    public void MinMaxKeepsTheLargestValue() => Assert.Equal(50f, WithOutliers().Threshold(CalibrationMethod.MinMax, 99.99));

    [Fact]
    public void PercentileClipsRareOutliers()
    {
        float t = WithOutliers().Threshold(CalibrationMethod.Percentile, 99.99);
        // 10 outliers in 200,000 values are 0.005%: the 99.99th percentile lies in the exponential's tail (about 0.85).
        Assert.InRange(t, 0.6f, 1.2f);
    }

    [Fact]
    public void EntropyClipsOutliersButKeepsTheBulk()
    {
        float t = WithOutliers().Threshold(CalibrationMethod.Entropy, 99.99);
        // At least Levels of the 2048 bins are kept, so with outliers at 50 the threshold cannot go below 50 x 256 / 2048.
        Assert.InRange(t, 0.9f, 10f);
    }

    [Fact]
    public void EntropyKeepsTheRangeOfAnUnclippedUniformSignal()
    {
        var values = Enumerable.Range(0, 100_000).Select(i => i / 100_000f).ToArray();
        var h = new ActivationHistogram("uniform");
        h.ObserveMax(values);
        h.Add(values);
        Assert.InRange(h.Threshold(CalibrationMethod.Entropy, 99.99), 0.9f, 1.0001f);
    }

    [Fact]
    public void ADeadActivationGetsAPositiveThreshold()
    {
        var h = new ActivationHistogram("dead");
        h.ObserveMax(new float[100]);
        h.Add(new float[100]);
        foreach (var method in Enum.GetValues<CalibrationMethod>()) Assert.True(h.Threshold(method, 99.9) > 0);
    }

    [Fact]
    public void NonFiniteActivationsAreRefusedByName()
    {
        var h = new ActivationHistogram("block0.relu0");
        var e = Assert.Throws<InvalidDataException>(() => h.ObserveMax([1f, float.NaN]));
        Assert.Contains("block0.relu0", e.Message);
    }
}
