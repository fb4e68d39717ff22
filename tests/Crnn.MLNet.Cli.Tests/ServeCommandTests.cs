using System.Text.Json;
using Crnn.MLNet.Cli.Commands;
using Crnn.MLNet.Tests.Support;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Tests;

/// <summary><c>crnn serve</c>'s app on a real loopback port, its refusals, and <c>crnn bench-serve</c>.</summary>
public class ServeCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CrnnCli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public async Task The_serve_app_answers_on_loopback()
    {
        using var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestModels.Build(), "digits.onnx");
        string lines = TestModels.WriteTemp(dir, TestLineModels.Build(), "lines.onnx");
        await using var app = ServeHost.Build("http://127.0.0.1:0", model, lines, quiet: true);
        await app.StartAsync();
        string address = Assert.Single(ServeHost.Addresses(app));
        Assert.StartsWith("http://127.0.0.1:", address);
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        var models = JsonDocument.Parse(await http.GetStringAsync("/v1/models")).RootElement;
        Assert.Equal(2, models.GetArrayLength());
        var content = new ByteArrayContent(TestLineModels.Png("312"));
        content.Headers.ContentType = new("image/png");
        var read = JsonDocument.Parse(await (await http.PostAsync("/v1/read", content)).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("312", read.GetProperty("text").GetString());
        await app.StopAsync();
    }

    [Fact]
    public void Serve_refuses_missing_models_by_name()
    {
        var (code, _, err) = Run("serve", "--model", "/nonexistent/m.onnx", "--urls", "http://127.0.0.1:0");
        Assert.NotEqual(0, code);
        Assert.Contains("--model: /nonexistent/m.onnx was not found", err);
    }

    [Fact]
    public void Bench_serve_reports_every_level_with_no_errors()
    {
        using var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestModels.Build());
        var pixels = new byte[40 * 784];
        var labels = Enumerable.Range(0, 40).Select(i => i % 10).ToArray();
        string data = dir.File("data");
        Directory.CreateDirectory(data);
        IdxWriter.WriteSplit(data, DatasetSplit.Test, new CharacterDataset("tiny", pixels, labels, 28, 28, TestModels.Digits));

        var (code, output, err) = Run("bench-serve", "--model", model, "--dataset", data, "--clients", "1", "4", "--duration", "1", "--images", "40", "--json");
        Assert.True(code == 0, err);
        var levels = JsonDocument.Parse(output).RootElement.GetProperty("levels");
        Assert.Equal([1, 4], levels.EnumerateArray().Select(l => l.GetProperty("clients").GetInt32()));
        foreach (var level in levels.EnumerateArray())
        {
            Assert.True(level.GetProperty("requests").GetInt64() > 0);
            Assert.Equal(0, level.GetProperty("errors").GetInt64());
            Assert.True(level.GetProperty("p99Ms").GetDouble() >= level.GetProperty("p50Ms").GetDouble());
        }
    }
}
