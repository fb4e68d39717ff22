using System.CommandLine;
using System.Globalization;
using System.Text;
using Crnn.MLNet.Training;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Lines;
using SkiaSharp;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// <c>crnn make-lines</c>: writes a fixed set of synthesised lines as PNG files (dark ink on white) plus
/// <c>labels.tsv</c> (<c>file&lt;TAB&gt;text</c>), the test set every line figure is reported on.
/// </summary>
internal static class MakeLinesCommand
{
    public const string LabelsFileName = LineLabelsFile.LabelsFileName;

    public static Command Create()
    {
        var dataset = CommonOptions.Dataset();
        var data = CommonOptions.DataDir();
        var mapping = CommonOptions.Mapping();
        var split = new Option<DatasetSplit>("--split") { Description = "Split whose characters the lines use (test for reports).", DefaultValueFactory = _ => DatasetSplit.Test };
        var count = new Option<int>("--count") { Description = "Number of lines (random text: lengths cycle through min..max length).", DefaultValueFactory = _ => Training.Lines.LineTrainingOptions.Defaults.TestLines };
        var seed = new Option<int>("--seed") { Description = "Seed (the default is the one 'crnn train-lines' tests on).", DefaultValueFactory = _ => Training.Lines.LineTrainingOptions.Defaults.TestSeed };
        var text = new LineTextOptions();
        var output = new Option<string>("--out") { Description = "Output folder (must not already hold labels.tsv).", Required = true };
        var realism = new Option<double>("--realism") { Description = "Share of lines (0 to 1) written as scanned-looking crops (paper, ruling lines, neighbours' strokes, specks, unlabelled punctuation) instead of clean lines; 0 writes the fixed test lines of 'crnn train-lines'.", DefaultValueFactory = _ => LineSynthesisOptions.Defaults.Realism };

        var command = new Command("make-lines", "Write a fixed, reproducible set of synthesised lines (PNG + labels.tsv) from a character dataset.")
        {
            dataset, data, mapping, split, count, seed, output, realism,
        };
        foreach (var option in text.All) command.Options.Add(option);
        command.SetAction((Func<ParseResult, int>)(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            string outDir = parse.GetValue(output)!;
            string labelsPath = Path.Combine(outDir, LabelsFileName);
            if (File.Exists(labelsPath))
                throw new IOException($"{labelsPath} exists: choose another --out folder (a line set is written once and kept).");
            var request = new DatasetRequest(parse.GetValue(dataset)!, parse.GetValue(data), MappingPath: parse.GetValue(mapping));
            var progressUi = new ConsoleProgress(stderr);
            var splitValue = parse.GetValue(split);
            var synthesis = text.Synthesis(parse, parse.GetValue(realism));
            var set = LineTextOptions.Prepare(progressUi.Run($"Loading {request.NameOrPath} ({splitValue.ToString().ToLowerInvariant()})", _ => DatasetLoader.Load(request, splitValue)), synthesis);
            var lines = synthesis.Realism > 0
                ? new LineSynthesizer(set, Enumerable.Range(0, set.Count).ToArray(), synthesis).FixedSet(parse.GetValue(count), parse.GetValue(seed))
                : CtcLineTrainer.FixedTestLines(set, synthesis, parse.GetValue(count), parse.GetValue(seed));
            int n = parse.GetValue(count);
            Directory.CreateDirectory(outDir);
            var labels = new StringBuilder();
            int digits = Math.Max(5, n.ToString(CultureInfo.InvariantCulture).Length);
            progressUi.Run($"Writing {n:N0} lines", report =>
            {
                int i = 0;
                foreach (var line in lines)
                {
                    string name = i.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0') + ".png";
                    AtomicFile.WriteAllBytes(Path.Combine(outDir, name), EncodePng(line));
                    labels.Append(name).Append('\t').Append(line.Text(set.LabelNames)).Append('\n');
                    if (++i % 100 == 0 || i == n) report((double)i / n, $"{i:N0}/{n:N0}", false);
                }
                return i;
            });
            // labels.tsv last: a folder with it is complete.
            AtomicFile.WriteAllText(labelsPath, labels.ToString());
            stdout.WriteLine($"Wrote {n:N0} lines of {synthesis.MinLength}-{synthesis.MaxLength} characters from {set.Name} to {outDir} ({LabelsFileName}).");
            return 0;
        }));
        return command;
    }

    /// <summary>A line as an 8-bit grayscale PNG, dark ink on white paper (as a scan would look).</summary>
    internal static byte[] EncodePng(SynthesizedLine line)
    {
        if (line.Scan is { } scan) return EncodePng(scan);
        using var bitmap = new SKBitmap(new SKImageInfo(line.Width, line.Height, SKColorType.Gray8, SKAlphaType.Opaque));
        var pixels = new byte[line.Width * line.Height];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)Math.Round(255 * (1 - Math.Clamp(line.Pixels[i], 0f, 1f)));
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>A scanned-looking picture as it was synthesised.</summary>
    private static byte[] EncodePng(Training.Realism.ScannedPage page)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(page.Width, page.Height, SKColorType.Gray8, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(page.Pixels, 0, bitmap.GetPixels(), page.Pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
