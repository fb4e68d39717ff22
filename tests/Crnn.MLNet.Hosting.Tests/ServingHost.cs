using Crnn.MLNet.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crnn.MLNet.Hosting.Tests;

/// <summary>An app with the hosting library's services and endpoints on an in-memory test server, over tiny models in a temporary folder.</summary>
internal sealed class ServingHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServingHost(WebApplication app, TempDir dir, string classifier, string line)
    {
        _app = app;
        Dir = dir;
        ClassifierPath = classifier;
        LinePath = line;
        Client = app.GetTestClient();
    }

    public TempDir Dir { get; }
    public string ClassifierPath { get; }
    public string LinePath { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => _app.Services;

    public static async Task<ServingHost> StartAsync(Action<CrnnServingOptions>? limits = null, bool reload = false)
    {
        var dir = new TempDir();
        string classifier = TestModels.WriteTemp(dir, TestModels.Build(), "digits.onnx");
        string line = TestModels.WriteTemp(dir, TestLineModels.Build(), "lines.onnx");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddCrnnServing(limits);
        builder.Services.AddCrnnRecognizer(o => { o.ModelPath = classifier; o.ReloadOnChange = reload; });
        builder.Services.AddCrnnTextRecognizer(o => { o.ModelPath = line; o.ReloadOnChange = reload; });
        var app = builder.Build();
        app.MapCrnnEndpoints();
        await app.StartAsync();
        return new ServingHost(app, dir, classifier, line);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Dir.Dispose();
    }
}
