using System.CommandLine;
using System.Text.Json;
using Crnn.MLNet.Cli.Bench;
using Crnn.MLNet.Training.Data;
using Spectre.Console;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// <c>crnn bench-serve</c>: starts <c>crnn serve</c>'s app on a loopback port in this process and loads it with
/// concurrent clients posting real images, one level after another. Clients and server share this machine's cores.
/// </summary>
internal static class ServeBenchCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = $"The classifier to serve (default: {ModelLocator.DefaultRelativePath})." };
        var dataset = new Option<string>("--dataset", "-d") { Description = "A dataset name or a folder of IDX files; its test images are posted.", DefaultValueFactory = _ => "mnist" };
        var data = new Option<string?>("--data") { Description = "Where named datasets are (default: CRNN_DATA_DIR, then the download cache)." };
        var clients = new Option<int[]>("--clients") { Description = "Concurrent clients, one level per value.", DefaultValueFactory = _ => [16, 64], AllowMultipleArgumentsPerToken = true };
        var duration = new Option<double>("--duration") { Description = "Seconds per level.", DefaultValueFactory = _ => 30 };
        var images = new Option<int>("--images") { Description = "Distinct images posted (cycled).", DefaultValueFactory = _ => 2000 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("bench-serve", "Load-test 'crnn serve' on loopback: requests/s, p50/p99 latency, errors and memory with 16 and 64 concurrent clients.")
        {
            model, dataset, data, clients, duration, images, json,
        };
        command.SetAction((Func<ParseResult, int>)(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            int[] levels = parse.GetValue(clients)!;
            double seconds = parse.GetValue(duration);
            int count = parse.GetValue(images);
            if (levels.Length == 0 || levels.Any(c => c is < 1 or > 1024)) throw new CliUsageException("--clients: each value must be in 1..1024.");
            if (seconds is <= 0 or > 3600) throw new CliUsageException($"--duration must be in (0, 3600] seconds, got {seconds}.");
            if (count < 1) throw new CliUsageException($"--images must be positive, got {count}.");
            string modelPath = ModelLocator.Resolve(parse.GetValue(model));

            stderr.WriteLine($"bench-serve: loading {parse.GetValue(dataset)} (test split)");
            var test = DatasetLoader.Load(new DatasetRequest(parse.GetValue(dataset)!, parse.GetValue(data)), DatasetSplit.Test);
            var (pngs, labels) = ServeLoad.EncodeImages(test, count);
            // The server's queue must hold every client: a load test measures waiting, not refusals.
            using var app = ServeHost.Build("http://127.0.0.1:0", modelPath, null, o => o.QueueLimit = Math.Max(o.QueueLimit, levels.Max()), quiet: true);
            app.StartAsync().GetAwaiter().GetResult();
            var endpoint = new Uri(new Uri(ServeHost.Addresses(app)[0]), "/v1/classify");
            stderr.WriteLine($"bench-serve: serving {modelPath} at {endpoint}; warming up");
            ServeLoad.RunAsync(endpoint, pngs, labels, 4, TimeSpan.FromSeconds(Math.Min(3, seconds))).GetAwaiter().GetResult();

            var results = new List<ServeLoadResult>();
            foreach (int level in levels)
            {
                stderr.WriteLine($"bench-serve: {level} clients for {seconds:0.#} s");
                results.Add(ServeLoad.RunAsync(endpoint, pngs, labels, level, TimeSpan.FromSeconds(seconds)).GetAwaiter().GetResult());
            }
            app.StopAsync().GetAwaiter().GetResult();

            if (parse.GetValue(json))
            {
                var report = new { machine = MachineInfo.Current(), model = modelPath, dataset = test.Name, images = pngs.Length, levels = results };
                stdout.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions(CliJson.Serializer) { PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
                return 0;
            }
            var table = new Table().AddColumns("clients", "requests/s", "p50 ms", "p99 ms", "max ms", "errors", "accuracy", "working set MB (start → end)");
            foreach (var r in results)
                table.AddRow($"{r.Clients}", $"{r.RequestsPerSecond:N1}", $"{r.P50Ms:N2}", $"{r.P99Ms:N2}", $"{r.MaxMs:N1}", $"{r.Errors}", $"{r.Accuracy:P2}",
                    $"{r.WorkingSetStartMb:N0} → {r.WorkingSetEndMb:N0}");
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
            console.Profile.Width = Math.Max(console.Profile.Width, 120);
            console.Write(table);
            return 0;
        }));
        return command;
    }
}
