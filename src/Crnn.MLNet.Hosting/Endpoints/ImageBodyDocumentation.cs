using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Crnn.MLNet.Hosting.Endpoints;

/// <summary>
/// Marks an endpoint that takes an image as its body, and writes that request body into the OpenAPI document.
/// (The <c>Accepts</c> metadata would do the latter, but would also make routing answer other content types with an
/// empty 415; the endpoints check the content type themselves and answer with a problem+json that says what to send.)
/// </summary>
internal sealed class ImageBodyDocumentation
{
    public static readonly ImageBodyDocumentation Instance = new();

    public static Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancel)
    {
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<ImageBodyDocumentation>().Any()) return Task.CompletedTask;
        var binary = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
        var content = ImageRequestReader.ImageContentTypes.ToDictionary(t => t, _ => new OpenApiMediaType { Schema = binary });
        content["multipart/form-data"] = new OpenApiMediaType
        {
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = new Dictionary<string, IOpenApiSchema> { [ImageRequestReader.FormField] = binary },
                Required = new HashSet<string> { ImageRequestReader.FormField },
            },
        };
        operation.RequestBody = new OpenApiRequestBody { Required = true, Description = "The image (PNG, JPEG, BMP, GIF or WebP).", Content = content };
        return Task.CompletedTask;
    }
}
