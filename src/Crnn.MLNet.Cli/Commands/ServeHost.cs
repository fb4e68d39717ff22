using Crnn.MLNet.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>The web app behind <c>crnn serve</c>: the hosting library's services and endpoints on the given addresses.</summary>
internal static class ServeHost
{
    public static WebApplication Build(string urls, string? classifier, string? lineModel, Action<CrnnServingOptions>? limits = null, bool quiet = false)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders();
        if (!quiet) builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddCrnnServing(limits);
        if (classifier is not null) builder.Services.AddCrnnRecognizer(classifier);
        if (lineModel is not null) builder.Services.AddCrnnTextRecognizer(lineModel);
        var app = builder.Build();
        app.MapCrnnEndpoints();
        return app;
    }

    /// <summary>The addresses the started app listens on (port 0 resolved to the real port).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
}
