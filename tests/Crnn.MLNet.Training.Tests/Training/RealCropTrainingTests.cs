using System.Text.Json;
using Crnn.MLNet.Training.Training;

namespace Crnn.MLNet.Training.Tests.Training;

/// <summary>Training images replaced by realistic crops read back through the inference normaliser (<see cref="AugmentationOptions.RealCrops"/>).</summary>
[Collection(MnistCollection.Name)]
public class RealCropTrainingTests(MnistFixture mnist)
{
    [MnistFact]
    public void RealisticCropsComeBackAsTheSameCharacterInTheModelsFraming()
    {
        var indices = Enumerable.Range(0, 64).ToArray();
        var (clean, cleanLabels) = new BatchBuilder(mnist.Test).Build(indices);
        var (real, realLabels) = new BatchBuilder(mnist.Test, 1.0, indices).Build(indices, new Random(5));
        using (clean) using (cleanLabels) using (real) using (realLabels)
        {
            Assert.Equal(cleanLabels.data<long>().ToArray(), realLabels.data<long>().ToArray());
            float[] a = clean.data<float>().ToArray(), b = real.data<float>().ToArray();
            Assert.All(b, v => Assert.InRange(v, 0f, 1f));
            Assert.NotEqual(a, b);
            // Each crop, scaled up, cluttered and cut, comes back as its character: close to the MNIST image itself
            // (correlation), with its ink in the same 20x20 box and centred.
            var correlations = indices.Select(i => Correlation(a.AsSpan(i * 784, 784), b.AsSpan(i * 784, 784))).ToArray();
            Assert.True(correlations.Average() > 0.6, $"mean correlation {correlations.Average():F2}");
            Assert.True(correlations.Count(c => c > 0.4) >= 56, string.Join(" ", correlations.Select(c => c.ToString("F2"))));
        }
    }

    [MnistFact]
    public void WithoutAShareTheBuilderLeavesImagesAndRandomNumbersAlone()
    {
        var indices = Enumerable.Range(100, 16).ToArray();
        var (plain, _) = new BatchBuilder(mnist.Test).Build(indices);
        var rng = new Random(3);
        var (zero, _) = new BatchBuilder(mnist.Test, 0, indices).Build(indices, rng);
        Assert.Equal(plain.data<float>().ToArray(), zero.data<float>().ToArray());
        Assert.Equal(new Random(3).Next(), rng.Next()); // nothing drawn: earlier runs resume identically
    }

    [Fact]
    public void TheShareIsCheckedAndTravelsWithTheCheckpointOptions()
    {
        Assert.Contains("0..1", Assert.Throws<ArgumentOutOfRangeException>(() => new AugmentationOptions { RealCrops = -0.1 }).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AugmentationOptions { RealCrops = double.PositiveInfinity });
        var options = new TrainingOptions(augmentation: new AugmentationOptions(rotationDegrees: 5) { RealCrops = 0.5 });
        var back = JsonSerializer.Deserialize<TrainingOptions>(JsonSerializer.Serialize(options, TrainingCheckpoint.Json), TrainingCheckpoint.Json)!;
        Assert.Equal(0.5, back.Augmentation.RealCrops);
        Assert.Equal(5, back.Augmentation.RotationDegrees);
        Assert.False(new AugmentationOptions(0, 0, 0, 0, 0) { RealCrops = 0.2 }.IsNone);
    }

    private static double Correlation(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double mx = 0, my = 0;
        for (int i = 0; i < x.Length; i++) { mx += x[i]; my += y[i]; }
        mx /= x.Length; my /= y.Length;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
        }
        return sxy / Math.Sqrt(sxx * syy + 1e-12);
    }
}
