using Crnn.MLNet.Training.Training;

namespace Crnn.MLNet.Training.Tests.Training;

public class StratifiedSplitTests
{
    [Fact]
    public void KeepsEachClassShareAndIsSeeded()
    {
        var labels = Enumerable.Range(0, 1000).Select(i => i < 900 ? 0 : 1).ToArray();
        var (train, val) = StratifiedSplit.Split(labels, 0.2, 7);
        Assert.Equal(1000, train.Length + val.Length);
        Assert.Empty(train.Intersect(val));
        Assert.Equal(180, val.Count(i => labels[i] == 0));
        Assert.Equal(20, val.Count(i => labels[i] == 1));
        Assert.Equal(val, StratifiedSplit.Split(labels, 0.2, 7).Validation);
        Assert.NotEqual(val, StratifiedSplit.Split(labels, 0.2, 8).Validation);
    }
}

public class LearningRateScheduleTests
{
    [Fact]
    public void CosineWarmsUpThenDecaysToOnePercent()
    {
        var s = new LearningRateSchedule(LearningRateScheduleKind.Cosine, 1e-3, 1000, 100);
        Assert.Equal(1e-5, s.At(0), 12);
        Assert.Equal(1e-3, s.At(99), 12);
        Assert.True(s.At(500) < 1e-3 && s.At(500) > 1e-5);
        Assert.Equal(1e-5, s.At(999), 12);
    }

    [Fact]
    public void OneCyclePeaksAtThirtyPercent()
    {
        var s = new LearningRateSchedule(LearningRateScheduleKind.OneCycle, 1e-2, 1000, 0);
        Assert.Equal(1e-2 / 25, s.At(0), 12);
        Assert.Equal(1e-2, s.At(299), 12);
        Assert.Equal(1e-6, s.At(999), 12);
    }
}
