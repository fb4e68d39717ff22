using System.Globalization;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Series;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// The confusion matrix as a heat map PNG (OxyPlot on SkiaSharp 2.88): cell = share of the actual class predicted as the
/// column's class. Text shaping is off so that no HarfBuzz native library is needed; the labels' font is one that has
/// their glyphs (<see cref="PlotFont"/>).
/// </summary>
internal static class ConfusionPlot
{
    /// <summary>Writes the plot; returns the font family used for the labels and a warning when some glyphs are missing.</summary>
    public static PlotFont Write(EvaluationReport r, string path)
    {
        var font = PlotFont.For(r.Labels);
        int n = r.Labels.Count;
        var data = new double[n, n];
        for (int actual = 0; actual < n; actual++)
        {
            double total = Math.Max(1, r.Confusion[actual].Sum());
            for (int predicted = 0; predicted < n; predicted++) data[predicted, actual] = r.Confusion[actual][predicted] / total;
        }
        var model = new PlotModel
        {
            Title = $"{r.Dataset} ({r.Split}): accuracy {r.MicroAccuracy.ToString("P2", CultureInfo.InvariantCulture)}",
            Background = OxyColors.White,
        };
        model.Axes.Add(new LinearColorAxis { Position = AxisPosition.Right, Palette = OxyPalette.Interpolate(200, OxyColors.White, OxyColors.SkyBlue, OxyColors.SteelBlue), Minimum = 0, Maximum = 1, Title = "share of actual" });
        // Only the class labels use the labels' font: a script's font may lack the Latin of the titles.
        model.Axes.Add(new CategoryAxis { Position = AxisPosition.Bottom, Title = "predicted", ItemsSource = r.Labels, Key = "x", Font = font.Family });
        model.Axes.Add(new CategoryAxis { Position = AxisPosition.Left, Title = "actual", ItemsSource = r.Labels, StartPosition = 1, EndPosition = 0, Key = "y", Font = font.Family });
        model.Series.Add(new HeatMapSeries
        {
            X0 = 0, X1 = n - 1, Y0 = 0, Y1 = n - 1,
            Data = data,
            Interpolate = false,
            RenderMethod = HeatMapRenderMethod.Rectangles,
            LabelFormatString = "0.00",
            LabelFontSize = n <= 12 ? 0.2 : 0,
            XAxisKey = "x",
            YAxisKey = "y",
        });
        int size = Math.Clamp(60 * n + 200, 500, 2400);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var stream = File.Create(path);
        new OxyPlot.SkiaSharp.PngExporter { Width = size, Height = size, UseTextShaping = false }.Export(model, stream);
        return font;
    }
}
