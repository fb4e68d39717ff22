using Crnn.MLNet.Hosting.Contracts;
using Crnn.MLNet.Hosting.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Crnn.MLNet.Hosting.Endpoints;

/// <summary><c>GET /v1/models</c>: the served models, from their metadata.</summary>
internal static class ModelsEndpoint
{
    public static IResult Handle(IServiceProvider services)
    {
        var models = new List<ModelDescription>();
        if (services.GetService<CrnnRecognizerSlot>() is { } classifier)
        {
            using var lease = classifier.Acquire();
            var m = lease.Value.Model.Metadata;
            models.Add(new ModelDescription(classifier.Kind, Path.GetFileName(classifier.ModelPath), m.Dataset, m.Labels, m.Input.Height, m.Input.Width,
                m.Metrics, lease.LoadedAt, classifier.ReloadError));
        }
        if (services.GetService<CrnnTextRecognizerSlot>() is { } line)
        {
            using var lease = line.Acquire();
            var m = lease.Value.Model.Metadata;
            models.Add(new ModelDescription(line.Kind, Path.GetFileName(line.ModelPath), m.Dataset, m.Labels, m.Input.Height, m.Input.MaxWidth,
                m.Metrics, lease.LoadedAt, line.ReloadError));
        }
        return Results.Json(models, ServingRequest.Json);
    }
}
