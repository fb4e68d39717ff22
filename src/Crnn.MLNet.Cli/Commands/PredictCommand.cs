using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Recognition;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// <c>crnn predict [--model MODEL.onnx] [--top K] [--json] FILE...</c>: one line per file,
/// <c>FILE&lt;TAB&gt;LABEL&lt;TAB&gt;CONFIDENCE</c> (then the next K-1 labels and probabilities with <c>--top K</c>).
/// A file that cannot be read gets one line on stderr; the exit code is 1 when any file failed.
/// <c>crnn predict --input DIR|LIST|- --output RESULTS.jsonl [--resume] [--shard i/N]</c> is the batch mode: one JSON
/// line per image (a bad image is a row with its error), resumable, shardable (<see cref="Batch.BatchJob"/>).
/// </summary>
internal static class PredictCommand
{
    /// <summary>Alternatives per row in batch mode when --top is not given.</summary>
    private const int BatchDefaultTop = 3;

    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Images of single characters (PNG, JPEG, BMP, GIF, WebP; grayscale or colour).", Arity = ArgumentArity.ZeroOrMore };
        var model = new Option<string?>("--model", "-m") { Description = $"The CRNN ONNX model (default: {ModelLocator.DefaultRelativePath} under the current directory or beside crnn)." };
        var top = new Option<int>("--top", "-k") { Description = $"Show the K most likely labels (default 1; {BatchDefaultTop} alternatives per row with --input).", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print a JSON array instead of tab-separated lines." };
        var polarity = new Option<InkPolarity>("--polarity") { Description = "Ink polarity: Auto (from the image border), DarkOnLight or LightOnDark.", DefaultValueFactory = _ => InkPolarity.Auto };
        var cleanup = CommonOptions.Cleanup();
        var batch = new BatchOptions();
        var device = new DeviceOptions();
        var command = new Command("predict", "Recognise the character in each image file, or in every image of a folder or list (--input, --output).") { files, model, top, json, polarity, cleanup };
        foreach (var o in batch.All.Concat(device.All)) command.Options.Add(o);
        command.SetAction((Func<ParseResult, int>)(parse =>
        {
            var cleanupSteps = CommonOptions.ParseCleanup(parse.GetValue(cleanup)!);
            var paths = parse.GetValue(files) ?? [];
            bool isBatch = batch.IsBatch(parse, "predict", paths.Length > 0, json);
            int k = isBatch && parse.GetResult(top) is null or { Implicit: true } ? BatchDefaultTop : parse.GetValue(top);
            if (k < 1) throw new CliUsageException($"--top must be at least 1, got {k}.");
            string modelPath = ModelLocator.Resolve(parse.GetValue(model));
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            if (isBatch)
            {
                // Several workers each score on a one-thread session: concurrent runs use the cores best (docs/benchmarks.md).
                int workers = batch.ReadWorkers(parse);
                var session = device.Read(parse, stderr, intraOpThreads: workers > 1 ? 1 : null);
                var settings = batch.Read(parse, "predict", new SortedDictionary<string, string>(StringComparer.Ordinal)
                {
                    ["model"] = BatchOptions.ModelHash(modelPath),
                    ["--top"] = k.ToString(CultureInfo.InvariantCulture),
                    ["--polarity"] = parse.GetValue(polarity).ToString(),
                });
                using var batchRecognizer = CrnnRecognizer.Open(modelPath, new CrnnRecognizerOptions { Polarity = parse.GetValue(polarity), Cleanup = cleanupSteps, Session = session });
                return BatchOptions.Run(settings with { Device = batchRecognizer.Model.Device.ToString() }, new Batch.PredictionRows(batchRecognizer, k), stderr);
            }
            using var recognizer = CrnnRecognizer.Open(modelPath, new CrnnRecognizerOptions { Polarity = parse.GetValue(polarity), Cleanup = cleanupSteps, Session = device.Read(parse, stderr) });
            var results = recognizer.TryPredict(paths);
            if (parse.GetValue(json))
                WriteJson(stdout, results, k);
            else
                foreach (var r in results.Where(r => r.Succeeded))
                    stdout.WriteLine(Line(r.Source, r.Prediction!, k));
            foreach (var r in results.Where(r => !r.Succeeded))
                stderr.WriteLine($"crnn: error: {OneLine(r.Error!)}");
            return results.All(r => r.Succeeded) ? 0 : CliErrors.Failure;
        }));
        return command;
    }

    internal static string Line(string file, CrnnPrediction p, int k) =>
        string.Join('\t', p.Top(k).SelectMany(t => new[] { t.Label, F(t.Probability) }).Prepend(file));

    private static string F(float v) => v.ToString("F4", CultureInfo.InvariantCulture);

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();

    private static void WriteJson(TextWriter output, IReadOnlyList<CrnnBatchResult<CrnnPrediction>> results, int k)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, CliJson.Writer))
        {
            w.WriteStartArray();
            foreach (var r in results)
            {
                w.WriteStartObject();
                w.WriteString("file", r.Source);
                if (r.Prediction is { } p)
                {
                    w.WriteString("label", p.Label);
                    w.WriteNumber("confidence", Math.Round(p.Confidence, 6));
                    w.WriteStartArray("top");
                    foreach (var t in p.Top(k))
                    {
                        w.WriteStartObject();
                        w.WriteString("label", t.Label);
                        w.WriteNumber("probability", Math.Round(t.Probability, 6));
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                else
                {
                    w.WriteString("error", r.Error);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
    }
}
