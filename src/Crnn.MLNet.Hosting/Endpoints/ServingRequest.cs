using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Crnn.MLNet.Hosting.Endpoints;

/// <summary>What every endpoint does around its own work: the request timeout, and errors as problem+json (never a stack trace).</summary>
internal static class ServingRequest
{
    /// <summary>camelCase, and labels in any script written as themselves (not as \u escapes).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<IResult> RunAsync(HttpContext http, CrnnServingOptions options, ILogger logger, Func<CancellationToken, Task<IResult>> work)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            return await work(timeout.Token);
        }
        catch (ServingProblem p)
        {
            return p.ToResult(http);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own refusals while the body is read (cut short, malformed): the client's fault, with its status.
            return Results.Problem(detail: $"the request body could not be read: {e.Message}", statusCode: e.StatusCode, title: "Bad request");
        }
        catch (InvalidDataException e)
        {
            // The image decoder's messages name the input and what is wrong with it; oversized images are 413.
            bool tooLarge = e.Message.Contains("more than the", StringComparison.Ordinal);
            return Results.Problem(detail: e.Message, statusCode: tooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
                title: tooLarge ? "Image too large" : "Unreadable image");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested)
        {
            return Results.Problem(detail: $"the request took longer than {options.RequestTimeout.TotalSeconds:0.#} s to arrive or to get its turn (option RequestTimeout).",
                statusCode: StatusCodes.Status408RequestTimeout, title: "Request timeout");
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;   // the client has gone
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "request {Path} failed", http.Request.Path);
            return Results.Problem(detail: $"the server could not answer this request ({e.GetType().Name}); it has been logged.",
                statusCode: StatusCodes.Status500InternalServerError, title: "Internal error");
        }
    }

    /// <summary>
    /// What both scoring endpoints do before their own work: read the image within the limits, then wait for a
    /// scoring slot. Dispose the permit when done.
    /// </summary>
    public static async Task<(byte[] Image, double QueueMs, System.Threading.RateLimiting.RateLimitLease Permit)> AdmitAsync(
        HttpRequest request, CrnnServingOptions options, ServingGate gate, CancellationToken cancel)
    {
        byte[] image = await ImageRequestReader.ReadAsync(request, options, cancel);
        long queued = System.Diagnostics.Stopwatch.GetTimestamp();
        var permit = await gate.EnterAsync(cancel);
        return (image, System.Diagnostics.Stopwatch.GetElapsedTime(queued).TotalMilliseconds, permit);
    }

    /// <summary>A whole-number query value checked against its range (absent: <paramref name="fallback"/>), else 400 naming it.</summary>
    public static int InRange(string name, string? value, int fallback, int min, int max)
    {
        if (string.IsNullOrEmpty(value)) return fallback;
        if (!int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            throw ServingProblem.BadRequest($"query '{name}': expected a whole number in {min}..{max}, got '{(value.Length <= 20 ? value : value[..20] + "…")}'.");
        return v;
    }

    /// <summary>A yes/no query value (absent: false), else 400 naming it.</summary>
    public static bool Flag(string name, string? value) =>
        string.IsNullOrEmpty(value) ? false
        : bool.TryParse(value, out bool b) ? b
        : value == "1" ? true : value == "0" ? false
        : throw ServingProblem.BadRequest($"query '{name}': expected true or false, got '{(value.Length <= 20 ? value : value[..20] + "…")}'.");
}
