using System.CommandLine;
using Microsoft.Extensions.Hosting;

namespace Crnn.MLNet.Cli.Commands;

/// <summary><c>crnn serve</c>: the recognisers over HTTP, with a drawing page at <c>/</c>.</summary>
internal static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:5000";

    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on, separated by ';'.", DefaultValueFactory = _ => DefaultUrls };
        var model = new Option<string?>("--model", "-m") { Description = $"Character classifier to serve at POST /v1/classify (default: {ModelLocator.DefaultRelativePath})." };
        var lineModel = new Option<string?>("--line-model") { Description = $"Line (CTC) model to serve at POST /v1/read (default: {ModelLocator.DefaultLineModelRelativePath})." };
        var maxConcurrent = new Option<int?>("--max-concurrent") { Description = "Requests scored at once (default: twice the cores); the rest wait in a queue." };
        var maxBody = new Option<long?>("--max-body-bytes") { Description = "Largest request body accepted (default: 8 MiB)." };
        var command = new Command("serve",
            "Serve the models over HTTP: POST /v1/classify, POST /v1/read, GET /v1/models, GET /healthz, GET /openapi/crnn.json, and a drawing page at /. Stop with Ctrl+C.")
        {
            urls, model, lineModel, maxConcurrent, maxBody,
        };
        command.SetAction((Func<ParseResult, int>)(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            // Explicit models must exist; a default that is not found is left out with a note (one of the two is enough).
            string? classifier = parse.GetValue(model), lines = parse.GetValue(lineModel);
            classifier ??= TryDefault(ModelLocator.DefaultRelativePath);
            lines ??= TryDefault(ModelLocator.DefaultLineModelRelativePath);
            foreach (var (given, name) in new[] { (classifier, "--model"), (lines, "--line-model") })
                if (given is not null && !File.Exists(given)) throw new CliUsageException($"{name}: {given} was not found.");
            if (classifier is null && lines is null)
                throw new CliUsageException($"no model to serve: give --model or --line-model (the defaults {ModelLocator.DefaultRelativePath} and {ModelLocator.DefaultLineModelRelativePath} were not found).");
            int? concurrent = parse.GetValue(maxConcurrent);
            long? body = parse.GetValue(maxBody);
            using var app = ServeHost.Build(parse.GetValue(urls)!, classifier, lines, o =>
            {
                if (concurrent is int c) o.MaxConcurrentRequests = c;
                if (body is long b) o.MaxBodyBytes = b;
            });
            app.Start();
            foreach (string address in ServeHost.Addresses(app)) output.WriteLine($"crnn serve: listening on {address} (drawing page at {address}/)");
            if (classifier is not null) output.WriteLine($"  POST /v1/classify  {classifier}");
            if (lines is not null) output.WriteLine($"  POST /v1/read      {lines}");
            output.WriteLine("Press Ctrl+C to stop.");
            app.WaitForShutdown();
            return 0;
        }));
        return command;
    }

    private static string? TryDefault(string relativePath)
    {
        try
        {
            return ModelLocator.Resolve(null, relativePath);
        }
        catch (CliUsageException)
        {
            return null;
        }
    }
}
