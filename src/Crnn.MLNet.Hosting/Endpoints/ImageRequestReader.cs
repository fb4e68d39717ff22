using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Crnn.MLNet.Hosting.Endpoints;

/// <summary>
/// Reads the image of a request, within the body limit: either the raw body with an image content type, or the file
/// field <c>image</c> of a <c>multipart/form-data</c> body. Everything else is refused with the status that says why.
/// </summary>
internal static class ImageRequestReader
{
    public const string FormField = "image";

    /// <summary>Content types accepted for a raw body.</summary>
    public static readonly string[] ImageContentTypes =
        ["image/png", "image/jpeg", "image/bmp", "image/x-ms-bmp", "image/gif", "image/webp", "application/octet-stream"];

    private static string Expected =>
        $"send the image as the body with one of the content types {string.Join(", ", ImageContentTypes)}, or as the file field '{FormField}' of a multipart/form-data body";

    public static async Task<byte[]> ReadAsync(HttpRequest request, CrnnServingOptions options, CancellationToken cancel)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.MaxBodyBytes + 64 * 1024;   // room for multipart headers around the file
        if (request.ContentLength > options.MaxBodyBytes + 64 * 1024 || request.ContentLength > options.MaxBodyBytes && !request.HasFormContentType)
            throw TooLarge(request.ContentLength.Value, options);
        if (string.IsNullOrEmpty(request.ContentType))
            throw new ServingProblem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"the request has no content type: {Expected}.");
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media))
            throw new ServingProblem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"content type '{Clip(request.ContentType)}' cannot be parsed: {Expected}.");

        byte[] bytes;
        if (media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions
            {
                MultipartBodyLengthLimit = options.MaxBodyBytes + 64 * 1024,
                ValueCountLimit = 16,
                ValueLengthLimit = 4096,
                MultipartHeadersLengthLimit = 8192,
            }));
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(cancel);
            }
            catch (InvalidDataException e)
            {
                throw e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
                    ? new ServingProblem(StatusCodes.Status413PayloadTooLarge, "Content too large", $"the multipart body is larger than the limit of {options.MaxBodyBytes:N0} bytes (option MaxBodyBytes).")
                    : ServingProblem.BadRequest($"the multipart body is malformed: {e.Message}");
            }
            var file = form.Files.GetFile(FormField)
                ?? throw ServingProblem.BadRequest($"the multipart body has no file field '{FormField}' (fields: {string.Join(", ", form.Files.Select(f => f.Name).Concat(form.Keys).DefaultIfEmpty("none"))}).");
            if (file.Length > options.MaxBodyBytes) throw TooLarge(file.Length, options);
            bytes = new byte[file.Length];
            await using var s = file.OpenReadStream();
            await s.ReadExactlyAsync(bytes, cancel);
        }
        else if (ImageContentTypes.Contains(media.MediaType.Value, StringComparer.OrdinalIgnoreCase))
        {
            bytes = await ReadBoundedAsync(request.Body, options, cancel);
        }
        else
        {
            throw new ServingProblem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"content type '{Clip(media.MediaType.Value)}' is not accepted: {Expected}.");
        }
        if (bytes.Length == 0) throw ServingProblem.BadRequest("the image is empty (0 bytes).");
        return bytes;
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream body, CrnnServingOptions options, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (true)
        {
            int n;
            try
            {
                n = await body.ReadAsync(chunk, cancel);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                throw TooLarge(buffer.Length + chunk.Length, options);
            }
            if (n == 0) break;
            if (buffer.Length + n > options.MaxBodyBytes) throw TooLarge(buffer.Length + n, options);
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private static ServingProblem TooLarge(long size, CrnnServingOptions options) =>
        new(StatusCodes.Status413PayloadTooLarge, "Content too large",
            $"the image is {size:N0} bytes or more, larger than the limit of {options.MaxBodyBytes:N0} bytes (option MaxBodyBytes).");

    private static string Clip(string? s) => s is null ? "" : s.Length <= 60 ? s : s[..60] + "…";
}
