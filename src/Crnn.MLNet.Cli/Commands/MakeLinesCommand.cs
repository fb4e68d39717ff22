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
        var texts = new Option<string?>("--texts") { Description = "A UTF-8 file of texts, one per line: write one line for each (in order; --count is then ignored), with the dataset's images of their characters; spaces and - ' . , are drawn when the dataset has a label but no image for them (--text names)." };
        var output = new Option<string>("--out") { Description = "Output folder (must not already hold labels.tsv).", Required = true };
        var realism = new Option<double>("--realism") { Description = "Share of lines (0 to 1) written as scanned-looking crops (paper, ruling lines, neighbours' strokes, specks, unlabelled punctuation) instead of clean lines; 0 writes the fixed test lines of 'crnn train-lines'.", DefaultValueFactory = _ => LineSynthesisOptions.Defaults.Realism };

        var command = new Command("make-lines", "Write a fixed, reproducible set of synthesised lines (PNG + labels.tsv) from a character dataset.")
        {
            dataset, data, mapping, split, count, seed, output, realism, texts,
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
            var everyImage = Enumerable.Range(0, set.Count).ToArray();
            string? textsPath = parse.GetValue(texts);
            var given = textsPath is null ? null : ReadTexts(textsPath);
            // Write checks every text before the folder is made: a text the dataset cannot write leaves nothing behind.
            var lines = given is not null
                ? new LineSynthesizer(set, everyImage, synthesis).Write(given, parse.GetValue(seed))
                : synthesis.Realism > 0
                ? new LineSynthesizer(set, everyImage, synthesis).FixedSet(parse.GetValue(count), parse.GetValue(seed))
                : CtcLineTrainer.FixedTestLines(set, synthesis, parse.GetValue(count), parse.GetValue(seed));
            int n = given?.Count ?? parse.GetValue(count);
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
            stdout.WriteLine(given is null
                ? $"Wrote {n:N0} lines of {synthesis.MinLength}-{synthesis.MaxLength} characters from {set.Name} to {outDir} ({LabelsFileName})."
                : $"Wrote {n:N0} lines of the texts in {textsPath} from {set.Name} to {outDir} ({LabelsFileName}).");
            return 0;
        }));
        return command;
    }

    // One text per line, trimmed; blank lines skipped. Strict UTF-8, so a file in another encoding fails here.
    private static List<string> ReadTexts(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found (--texts: a UTF-8 file with one text per line).", path);
        List<string> result;
        try
        {
            result = File.ReadAllLines(path, new UTF8Encoding(false, throwOnInvalidBytes: true)).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{path}: not valid UTF-8 ({e.Message}).", e);
        }
        if (result.Count == 0) throw new InvalidDataException($"{path}: no texts (expected one text per line).");
        return result;
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
