using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Crnn.MLNet.Training.Training;

/// <summary>Loss and accuracy curves (train and validation) as PNG files, drawn with OxyPlot.</summary>
public static class TrainingPlots
{
    public const string LossFileName = "loss.png";
    public const string AccuracyFileName = "accuracy.png";

    /// <summary>Writes <c>loss.png</c> and <c>accuracy.png</c> into <paramref name="outputDir"/> (atomically).</summary>
    public static void Write(string outputDir, IReadOnlyList<EpochRecord> history)
    {
        if (history.Count == 0) return;
        AtomicFile.WriteAllBytes(Path.Combine(outputDir, LossFileName), LossPng(history));
        AtomicFile.WriteAllBytes(Path.Combine(outputDir, AccuracyFileName), AccuracyPng(history));
    }

    public static byte[] LossPng(IReadOnlyList<EpochRecord> history) =>
        Render(Curves("Loss", "cross-entropy", history, h => h.TrainLoss, h => h.ValidationLoss));

    public static byte[] AccuracyPng(IReadOnlyList<EpochRecord> history) =>
        Render(Curves("Accuracy", "accuracy (%)", history, h => 100 * h.TrainAccuracy, h => 100 * h.ValidationAccuracy));

    private static PlotModel Curves(string title, string yTitle, IReadOnlyList<EpochRecord> history,
        Func<EpochRecord, double> train, Func<EpochRecord, double> validation)
    {
        var model = new PlotModel { Title = title, Background = OxyColors.White };
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.RightTop, LegendPlacement = LegendPlacement.Inside });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "epoch", MinimumMajorStep = 1 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = yTitle, MajorGridlineStyle = LineStyle.Dot });
        var t = new LineSeries { Title = "train", MarkerType = MarkerType.Circle };
        var v = new LineSeries { Title = "validation", MarkerType = MarkerType.Square };
        foreach (var h in history)
        {
            t.Points.Add(new DataPoint(h.Epoch, train(h)));
            v.Points.Add(new DataPoint(h.Epoch, validation(h)));
        }
        model.Series.Add(t);
        model.Series.Add(v);
        return model;
    }

    private static byte[] Render(PlotModel model)
    {
        using var ms = new MemoryStream();
        new OxyPlot.SkiaSharp.PngExporter { Width = 800, Height = 500 }.Export(model, ms);
        return ms.ToArray();
    }
}
