using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Realism;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// <c>crnn evaluate-crops [--model M] --dataset NAME [--clutter clean|real] [--cleanup default|none|flatten|central] [--limit N] [--json]</c>:
/// accuracy on crops made from a dataset's test images to look like characters cut from real scans (neighbours cut by
/// the edge, specks, uneven paper, guilloche lines, noise), read through the same path as image files (framing Fit).
/// Measures what the character clean-up buys on such crops and what it costs on clean ones.
/// </summary>
internal static class EvaluateCropsCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = $"The CRNN ONNX model (default: {ModelLocator.DefaultRelativePath} under the current directory or beside crnn)." };
        var dataset = CommonOptions.Dataset();
        var data = CommonOptions.DataDir();
        var mapping = CommonOptions.Mapping();
        var clutter = new Option<CropClutter>("--clutter") { Description = "clean (the character alone) or real (neighbours, specks, background).", DefaultValueFactory = _ => CropClutter.Real };
        var cleanup = CommonOptions.Cleanup();
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N test images." };
        var seed = new Option<int>("--seed") { Description = "Seed of the crop synthesis.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var examples = new Option<string?>("--examples") { Description = "Also write the first 32 crops as PNG files into this folder (to see what is measured)." };
        var command = new Command("evaluate-crops", "Accuracy on real-looking crops synthesised from a dataset's test images, with or without the character clean-up.")
        {
            model, dataset, data, mapping, clutter, cleanup, limit, seed, json, examples,
        };
        command.SetAction((Func<ParseResult, int>)(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var steps = CommonOptions.ParseCleanup(parse.GetValue(cleanup)!);
            string modelPath = ModelLocator.Resolve(parse.GetValue(model));
            if (parse.GetValue(limit) is <= 0) throw new CliUsageException("--limit must be positive.");
            var request = new DatasetRequest(parse.GetValue(dataset)!, parse.GetValue(data), MappingPath: parse.GetValue(mapping));
            var set = DatasetLoader.Load(request, DatasetSplit.Test, null);
            if (parse.GetValue(limit) is int n) set = set.Take(n);
            using var recognizer = CrnnRecognizer.Open(modelPath, new CrnnRecognizerOptions { Cleanup = steps, Polarity = InkPolarity.Auto });
            var synth = new RealisticCropSynthesizer(set);
            var kind = parse.GetValue(clutter);
            var rng = new Random(parse.GetValue(seed));
            int correct = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < set.Count; i++)
            {
                var (pixels, w, h) = synth.Make(i, kind, rng);
                var p = recognizer.Predict(pixels, w, h, CharacterFraming.Fit);
                if (i < 32 && parse.GetValue(examples) is { } folder)
                {
                    Directory.CreateDirectory(folder);
                    using var png = new Bench.GrayPng(w, h);
                    using var encoded = png.Encode(pixels, 0);
                    File.WriteAllBytes(Path.Combine(folder, $"{i:D2}-{set.LabelNames[set.Labels[i]]}-read-{p.Label}.png"), encoded.ToArray());
                }
                if (p.Label == set.LabelNames[set.Labels[i]]) correct++;
                if ((i + 1) % 1000 == 0 || i + 1 == set.Count)
                    stderr.WriteLine($"evaluate-crops: {i + 1:N0}/{set.Count:N0}, accuracy {(double)correct / (i + 1):P2}");
            }
            double accuracy = (double)correct / set.Count;
            if (parse.GetValue(json))
                stdout.WriteLine(JsonSerializer.Serialize(new
                {
                    model = modelPath, dataset = set.Name, count = set.Count, clutter = kind.ToString().ToLowerInvariant(),
                    cleanup = parse.GetValue(cleanup), seed = parse.GetValue(seed), accuracy = Math.Round(accuracy, 6),
                    seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
                }, CliJson.Serializer));
            else
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{set.Name} test, {set.Count} crops ({kind.ToString().ToLowerInvariant()}), clean-up {parse.GetValue(cleanup)}: accuracy {accuracy:P2}"));
            return 0;
        }));
        return command;
    }
}
