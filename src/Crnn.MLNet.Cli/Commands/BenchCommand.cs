using System.CommandLine;
using Crnn.MLNet.Cli.Bench;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// <c>crnn bench [--model MODEL.onnx] [--checkpoint CKPT] [--json]</c>: images per second of raw ONNX Runtime, our
/// ML.NET pipeline (from pixel vectors and from PNG files), stock ML.NET and TorchSharp on the same images, the
/// prediction engine's single-image latency, the model's FLOPs, the machine's peak FLOP/s and peak memory.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = $"The CRNN ONNX model (default: {ModelLocator.DefaultRelativePath} under the current directory or beside crnn)." };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A training checkpoint of the same network, for the TorchSharp row (skipped without one)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var dataset = new Option<string>("--dataset", "-d") { Description = "A dataset name or a folder of IDX files; its test split is used.", DefaultValueFactory = _ => "mnist" };
        var data = new Option<string?>("--data") { Description = "Where named datasets are (default: CRNN_DATA_DIR, then the download cache)." };
        // Small counts make a quick smoke run (tests); figures are only meaningful with the defaults.
        var images = new Option<int>("--images") { Hidden = true, DefaultValueFactory = _ => 10_000 };
        var samples = new Option<int>("--latency-samples") { Hidden = true, DefaultValueFactory = _ => 2_000 };
        var batches = new Option<int[]>("--batch-sizes") { Hidden = true, AllowMultipleArgumentsPerToken = true };
        var matmul = new Option<int>("--matmul-size") { Hidden = true, DefaultValueFactory = _ => 2048 };
        var command = new Command("bench", "Measure scoring speed: raw ONNX Runtime, the ML.NET pipeline, stock ML.NET, TorchSharp; FLOPs and memory.")
        {
            model, checkpoint, json, dataset, data, images, samples, batches, matmul,
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
            int side = parse.GetValue(matmul);
            if (side is < 16 or > 8192) throw new CliUsageException($"--matmul-size must be in 16..8192, got {side}.");
            if (parse.GetValue(checkpoint) is { } ckpt && !File.Exists(ckpt)) throw new CliUsageException($"--checkpoint {ckpt}: no such file.");
            var settings = new BenchSettings(ModelLocator.Resolve(parse.GetValue(model)),
                new DatasetRequest(parse.GetValue(dataset)!, parse.GetValue(data)), n, latency, parse.GetValue(checkpoint), sizes, side);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var report = BenchRunner.Run(settings, message => stderr.WriteLine($"bench: [{clock.Elapsed:mm\\:ss}] {message}"));
            if (parse.GetValue(json)) BenchReportWriter.WriteJson(stdout, report);
            else BenchReportWriter.WriteText(stdout, report);
            return 0;
        }));
        return command;
    }
}
