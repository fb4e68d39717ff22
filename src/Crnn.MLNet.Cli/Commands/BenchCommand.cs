using System.CommandLine;
using Crnn.MLNet.Cli.Bench;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// <c>crnn bench [--model MODEL.onnx]... [--checkpoint CKPT] [--json]</c>: per model, images per second of raw ONNX
/// Runtime, our ML.NET pipeline (from pixel vectors and from PNG files), stock ML.NET (from the same vectors and files)
/// and TorchSharp on the same images, the prediction engine's single-image latency, the model's FLOPs as a share of the
/// machine's measured peak, and peak memory.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var model = new Option<string[]>("--model", "-m")
        {
            Description = $"A CRNN ONNX model; repeat to measure several in one run (default: {ModelLocator.DefaultRelativePath} under the current directory or beside crnn).",
        };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A training checkpoint of the same network, for the TorchSharp row (skipped without one)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var dataset = new Option<string>("--dataset", "-d") { Description = "A dataset name or a folder of IDX files; its test split is used.", DefaultValueFactory = _ => "mnist" };
        var data = new Option<string?>("--data") { Description = "Where named datasets are (default: CRNN_DATA_DIR, then the download cache)." };
        // Small counts make a quick smoke run (tests); figures are only meaningful with the defaults.
        var images = new Option<int>("--images") { Hidden = true, DefaultValueFactory = _ => 10_000 };
        var samples = new Option<int>("--latency-samples") { Hidden = true, DefaultValueFactory = _ => 2_000 };
        var batches = new Option<int[]>("--batch-sizes") { Hidden = true, AllowMultipleArgumentsPerToken = true };
        var peakSeconds = new Option<double>("--peak-seconds") { Hidden = true, DefaultValueFactory = _ => 0.5 };
        var lightGbm = new Option<bool>("--lightgbm") { Description = "Also train stock ML.NET's LightGBM on the raw pixels of the training split (not timed) and time its scoring, as a reference." };
        var lightGbmImages = new Option<int>("--lightgbm-train-images") { Hidden = true, DefaultValueFactory = _ => 60_000 };
        var plot = new Option<string?>("--plot") { Description = "Also write a PNG of accuracy against images/s through ML.NET for every model (and LightGBM)." };
        var command = new Command("bench", "Measure scoring speed of one or more models: raw ONNX Runtime, the ML.NET pipeline, stock ML.NET, TorchSharp; share of the machine's peak, memory.")
        {
            model, checkpoint, json, dataset, data, images, samples, batches, peakSeconds, lightGbm, lightGbmImages, plot,
        };
        command.SetAction((Func<ParseResult, int>)(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            int n = parse.GetValue(images), latency = parse.GetValue(samples);
            if (n < 1) throw new CliUsageException($"--images must be positive, got {n}.");
            if (latency < 1) throw new CliUsageException($"--latency-samples must be positive, got {latency}.");
            var sizes = parse.GetValue(batches) is { Length: > 0 } given ? given : BenchSettings.DefaultBatchSizes;
            if (sizes.Any(b => b is < 1 or > 4096)) throw new CliUsageException("--batch-sizes must be in 1..4096.");
            double peak = parse.GetValue(peakSeconds);
            if (peak is < 0.001 or > 60) throw new CliUsageException($"--peak-seconds must be in 0.001..60, got {peak}.");
            string?[] modelArgs = parse.GetValue(model) is { Length: > 0 } m ? [.. m] : [default(string)];
            var models = modelArgs.Select(ModelLocator.Resolve).ToArray();
            if (parse.GetValue(checkpoint) is { } ckpt)
            {
                if (!File.Exists(ckpt)) throw new CliUsageException($"--checkpoint {ckpt}: no such file.");
                if (models.Length > 1) throw new CliUsageException($"--checkpoint: one checkpoint cannot match {models.Length} models; bench them one at a time for the TorchSharp row.");
            }
            var settings = new BenchSettings(models, new DatasetRequest(parse.GetValue(dataset)!, parse.GetValue(data)), n, latency,
                parse.GetValue(checkpoint), sizes, parse.GetValue(lightGbm) ? Math.Max(1, parse.GetValue(lightGbmImages)) : 0, peak);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var report = BenchRunner.Run(settings, message => stderr.WriteLine($"bench: [{clock.Elapsed:mm\\:ss}] {message}"));
            if (parse.GetValue(json)) BenchReportWriter.WriteJson(stdout, report);
            else BenchReportWriter.WriteText(stdout, report);
            if (parse.GetValue(plot) is { } png)
            {
                BenchPlot.Write(report, png);
                stderr.WriteLine($"bench: plot written to {png}");
            }
            return 0;
        }));
        return command;
    }
}
