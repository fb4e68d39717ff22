using System.Reflection;
using System.Text.Json;
using Crnn.MLNet.Hosting.Contracts;
using Crnn.MLNet.Hosting.Endpoints;
using Crnn.MLNet.Hosting.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Crnn.MLNet.Hosting;

/// <summary>Maps the serving endpoints of the models registered with <see cref="CrnnServiceCollectionExtensions"/>.</summary>
public static class CrnnEndpointRouteBuilderExtensions
{
    /// <summary>Name of the OpenAPI document of these endpoints (served at <c>/openapi/crnn.json</c>).</summary>
    public const string OpenApiDocument = "crnn";

    /// <summary>
    /// Maps <c>POST /v1/classify</c> (when a classifier is registered), <c>POST /v1/read</c> (when a line model is),
    /// <c>GET /v1/models</c>, <c>GET /healthz</c>, the OpenAPI documents at <c>GET /openapi/{documentName}.json</c>
    /// (<c>crnn.json</c> for these endpoints; pass <paramref name="openApi"/> false when your app maps its own) and,
    /// unless <paramref name="page"/> is false, the drawing page at <c>GET /</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapCrnnEndpoints(this IEndpointRouteBuilder endpoints, bool page = true, bool openApi = true)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var isService = endpoints.ServiceProvider.GetRequiredService<IServiceProviderIsService>();
        bool classifier = isService.IsService(typeof(CrnnRecognizerSlot)), line = isService.IsService(typeof(CrnnTextRecognizerSlot));
        if (!classifier && !line)
            throw new InvalidOperationException("MapCrnnEndpoints: no model is registered; call services.AddCrnnRecognizer(...) or services.AddCrnnTextRecognizer(...) first.");
        // Load the models now: a bad file stops the app at start with its own message.
        if (classifier) endpoints.ServiceProvider.GetRequiredService<CrnnRecognizerSlot>();
        if (line) endpoints.ServiceProvider.GetRequiredService<CrnnTextRecognizerSlot>();

        var v1 = endpoints.MapGroup("/v1").WithTags("crnn");
        if (classifier)
            v1.MapPost("/classify", ClassifyEndpoint.HandleAsync)
                .WithName("Classify")
                .WithSummary("Recognise one handwritten character")
                .WithDescription("The image is the body (an image content type) or the file field 'image' of a multipart form. " +
                    "Query: top (alternatives, default 3), input=true (return the model's input as an image).")
                .WithMetadata(ImageBodyDocumentation.Instance)
                .Produces<ClassifyResponse>()
                .ProducesProblem(StatusCodes.Status400BadRequest)
                .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
                .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
                .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
                .DisableAntiforgery();
        if (line)
            v1.MapPost("/read", ReadEndpoint.HandleAsync)
                .WithName("Read")
                .WithSummary("Read one line of handwriting")
                .WithDescription("The image is the body (an image content type) or the file field 'image' of a multipart form. " +
                    "Query: pattern (a regular expression the whole text must match), alphabet (the only characters allowed), " +
                    "beam (beam width, default 10), top (alternatives per character, default 3), input=true.")
                .WithMetadata(ImageBodyDocumentation.Instance)
                .Produces<ReadResponse>()
                .ProducesProblem(StatusCodes.Status400BadRequest)
                .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
                .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
                .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
                .DisableAntiforgery();
        v1.MapGet("/models", (IServiceProvider services) => ModelsEndpoint.Handle(services))
            .WithName("Models")
            .WithSummary("The served models: labels, input size and training figures")
            .Produces<List<ModelDescription>>();

        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteHealth });
        if (openApi) endpoints.MapOpenApi("/openapi/{documentName}.json");
        if (page)
            endpoints.MapGet("/", () => Results.Text(Page.Value, "text/html; charset=utf-8")).ExcludeFromDescription();
        return endpoints;
    }

    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Crnn.MLNet.Hosting.index.html")
            ?? throw new InvalidOperationException("the drawing page is missing from Crnn.MLNet.Hosting's resources.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private static Task WriteHealth(HttpContext http, Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, ServingRequest.Json));
    }
}
