using Crnn.MLNet.Decoding;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Recognition;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// <c>crnn read [--model LINES.onnx] [--beam N | --greedy] [--alphabet CHARS] [--pattern REGEX] [--json] FILE...</c>: one line per
/// file, <c>FILE&lt;TAB&gt;TEXT&lt;TAB&gt;CONFIDENCE</c>, like <c>crnn predict</c>. With <c>--json</c>, an array with each
/// character's time steps and alternatives. A file that cannot be read gets one line on stderr; the exit code is 1 when
/// any file failed. <c>crnn read --input DIR|LIST|- --output RESULTS.jsonl [--resume] [--shard i/N]</c> is the batch
/// mode, as for <c>crnn predict</c>.
/// </summary>
internal static class ReadCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Images of single lines of writing (PNG, JPEG, BMP, GIF, WebP; grayscale or colour).", Arity = ArgumentArity.ZeroOrMore };
        var model = new Option<string>("--model", "-m") { Description = $"The CRNN line (CTC) ONNX model (default: {ModelLocator.DefaultLineModelRelativePath})." };
        var decoding = new LineDecodingOptions();
        var json = new Option<bool>("--json") { Description = "Print a JSON array (with per-character steps and alternatives) instead of tab-separated lines." };
        var top = new Option<int>("--top", "-k") { Description = "Alternatives listed per character with --json and --input.", DefaultValueFactory = _ => 3 };
        var polarity = new Option<InkPolarity>("--polarity") { Description = "Ink polarity: Auto (from the image border), DarkOnLight or LightOnDark.", DefaultValueFactory = _ => InkPolarity.Auto };
        var batch = new BatchOptions();
        var device = new DeviceOptions();
        var cleanup = CommonOptions.LineCleanup();
        var command = new Command("read", "Read the line of writing in each image file, or in every image of a folder or list (--input, --output), with a line (CTC) model.") { files, model, json, top, polarity, cleanup };
        foreach (var o in decoding.All.Concat(batch.All).Concat(device.All)) command.Options.Add(o);
        command.SetAction((Func<ParseResult, int>)(parse =>
        {
            var lineCleanup = CommonOptions.ParseLineCleanup(parse.GetValue(cleanup)!);
            var paths = parse.GetValue(files) ?? [];
            bool isBatch = batch.IsBatch(parse, "read", paths.Length > 0, json);
            int k = parse.GetValue(top);
            if (k is < 0 or > 100) throw new CliUsageException($"--top must be in 0..100, got {k}.");
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var decodingOptions = decoding.Read(parse, k);
            string modelPath = ModelLocator.Resolve(parse.GetValue(model), ModelLocator.DefaultLineModelRelativePath);
            if (isBatch)
            {
                int workers = batch.ReadWorkers(parse);
                var settings = batch.Read(parse, "read", new SortedDictionary<string, string>(StringComparer.Ordinal)
                {
                    ["model"] = BatchOptions.ModelHash(modelPath),
                    ["--top"] = k.ToString(CultureInfo.InvariantCulture),
                    ["--polarity"] = parse.GetValue(polarity).ToString(),
                    ["decoding"] = decodingOptions.Mode == Decoding.CrnnCtcDecodingMode.Greedy ? "greedy" : $"beam {decodingOptions.BeamWidth.ToString(CultureInfo.InvariantCulture)}",
                    ["--alphabet"] = decodingOptions.Alphabet ?? "",
                    ["--pattern"] = decodingOptions.Pattern ?? "",
                });
                // Several workers each score on a one-thread session, and decode (CTC) while another scores.
                var batchOptions = new CrnnTextRecognizerOptions
                {
                    Decoding = decodingOptions, Polarity = parse.GetValue(polarity), Cleanup = lineCleanup,
                    Session = device.Read(parse, stderr, intraOpThreads: workers > 1 ? 1 : null),
                };
                using var batchRecognizer = CrnnTextRecognizer.Open(modelPath, batchOptions);
                return BatchOptions.Run(settings with { Device = batchRecognizer.Model.Device.ToString() }, new Batch.TextRows(batchRecognizer), stderr);
            }
            var options = new CrnnTextRecognizerOptions { Decoding = decodingOptions, Polarity = parse.GetValue(polarity), Cleanup = lineCleanup, Session = device.Read(parse, stderr) };
            using var recognizer = CrnnTextRecognizer.Open(modelPath, options);
            var results = recognizer.TryPredict(paths);
            if (parse.GetValue(json))
                WriteJson(stdout, results);
            else
                foreach (var r in results.Where(r => r.Succeeded))
                    stdout.WriteLine($"{r.Source}\t{r.Prediction!.Text}\t{r.Prediction.Confidence.ToString("F4", CultureInfo.InvariantCulture)}");
            foreach (var r in results.Where(r => !r.Succeeded))
                stderr.WriteLine($"crnn: error: {r.Error!.ReplaceLineEndings(" ").Trim()}");
            return results.All(r => r.Succeeded) ? 0 : CliErrors.Failure;
        }));
        return command;
    }

    private static void WriteJson(TextWriter output, IReadOnlyList<CrnnBatchResult<CrnnTextPrediction>> results)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, CliJson.Writer))
        {
            w.WriteStartArray();
            foreach (var r in results)
            {
                w.WriteStartObject();
                w.WriteString("file", r.Source);
                if (r.Prediction is { } t)
                {
                    w.WriteString("text", t.Text);
                    w.WriteNumber("confidence", Math.Round(t.Confidence, 6));
                    w.WriteNumber("timeSteps", t.TimeSteps);
                    w.WriteStartArray("characters");
                    foreach (var c in t.Characters)
                    {
                        w.WriteStartObject();
                        w.WriteString("character", c.Character);
                        w.WriteNumber("confidence", Math.Round(c.Confidence, 6));
                        w.WriteNumber("firstStep", c.FirstStep);
                        w.WriteNumber("lastStep", c.LastStep);
                        w.WriteStartArray("alternatives");
                        foreach (var a in c.Alternatives)
                        {
                            w.WriteStartObject();
                            w.WriteString("character", a.Character);
                            w.WriteNumber("probability", Math.Round(a.Probability, 6));
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
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
