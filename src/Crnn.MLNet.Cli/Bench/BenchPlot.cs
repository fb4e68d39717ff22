using Crnn.MLNet.Training;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>Accuracy against images per second through ML.NET (our pipeline from pixel vectors) for every model of a
/// run, and stock ML.NET's LightGBM on the same pixels when measured: the speed/accuracy frontier.</summary>
internal static class BenchPlot
{
    public static void Write(BenchSuite suite, string path)
    {
        var model = new PlotModel { Title = "Accuracy against ML.NET throughput", Background = OxyColors.White };
        model.Subtitle = $"{suite.Models[0].Dataset} test images, {suite.Machine.Cpu}, {suite.Machine.LogicalCores} cores, {suite.Date:yyyy-MM-dd}";
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.BottomRight, LegendPlacement = LegendPlacement.Inside });
        model.Axes.Add(new LogarithmicAxis { Position = AxisPosition.Bottom, Title = "images per second through ML.NET (log scale)", MajorGridlineStyle = LineStyle.Dot, MinimumPadding = 0.1, MaximumPadding = 0.35 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "accuracy (%)", MajorGridlineStyle = LineStyle.Dot, MinimumPadding = 0.1, MaximumPadding = 0.1 });
        var ours = new ScatterSeries { Title = "CRNN, AppendCrnnClassifier", MarkerType = MarkerType.Circle, MarkerSize = 6, MarkerFill = OxyColors.SteelBlue };
        foreach (var r in suite.Models)
        {
            var point = new ScatterPoint(r.Pipeline.ImagesPerSecond, 100 * r.Pipeline.Accuracy);
            ours.Points.Add(point);
            Label(model, point, Path.GetFileNameWithoutExtension(r.Model));
        }
        model.Series.Add(ours);
        if (suite.LightGbm is { } g)
        {
            var point = new ScatterPoint(g.Scoring.ImagesPerSecond, 100 * g.Scoring.Accuracy);
            model.Series.Add(new ScatterSeries { Title = "stock ML.NET LightGBM on pixels", MarkerType = MarkerType.Diamond, MarkerSize = 7, MarkerFill = OxyColors.DarkOrange, ItemsSource = new[] { point } });
            Label(model, point, "LightGBM (pixels)");
        }
        using var ms = new MemoryStream();
        new OxyPlot.SkiaSharp.PngExporter { Width = 900, Height = 560, UseTextShaping = false }.Export(model, ms);
        AtomicFile.WriteAllBytes(path, ms.ToArray());
    }

    private static void Label(PlotModel model, ScatterPoint point, string text) =>
        model.Annotations.Add(new TextAnnotation
        {
            Text = text,
            TextPosition = new DataPoint(point.X, point.Y),
            TextVerticalAlignment = VerticalAlignment.Bottom,
            TextHorizontalAlignment = HorizontalAlignment.Left,
            Offset = new ScreenVector(6, -4),
            Stroke = OxyColors.Transparent,
            FontSize = 11,
        });
}
