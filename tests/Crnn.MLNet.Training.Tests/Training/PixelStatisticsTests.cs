using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Training;

namespace Crnn.MLNet.Training.Tests.Training;

public class PixelStatisticsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(255)]
    public void A_constant_dataset_gets_a_usable_std_not_zero(byte value)
    {
        // Rounded to 4 decimals, a constant set's std used to become 0 and every normalised pixel NaN.
        var pixels = Enumerable.Repeat(value, 20 * 28 * 28).ToArray();
        var data = new CharacterDataset("blank", pixels, Enumerable.Range(0, 20).Select(i => i % 2).ToArray(), 28, 28, ["a", "b"]);
        var (mean, std) = CrnnTrainer.PixelStatistics(data, Enumerable.Range(0, 20).ToArray());
        Assert.Equal(value / 255.0, mean, 4);
        Assert.Equal(1e-4, std);
        Assert.True(double.IsFinite((value / 255.0 - mean) / std));
    }

    [Fact]
    public void Real_looking_data_keeps_its_rounded_statistics()
    {
        var data = TinyDigits.Create();
        var (mean, std) = CrnnTrainer.PixelStatistics(data, Enumerable.Range(0, data.Count).ToArray());
        Assert.InRange(mean, 0.05, 0.2);
        Assert.InRange(std, 0.05, 0.4);
        Assert.Equal(Math.Round(std, 4), std);
    }
}
