using Microsoft.AspNetCore.Http;

namespace Crnn.MLNet.Hosting.Endpoints;

/// <summary>A request the endpoints refuse: becomes an <c>application/problem+json</c> answer with its status and message.</summary>
internal sealed class ServingProblem(int status, string title, string detail, int? retryAfterSeconds = null) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public int? RetryAfterSeconds { get; } = retryAfterSeconds;

    public IResult ToResult(HttpContext http)
    {
        if (RetryAfterSeconds is int s) http.Response.Headers.RetryAfter = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(detail: Message, statusCode: Status, title: Title);
    }

    public static ServingProblem BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "Bad request", detail);
}
