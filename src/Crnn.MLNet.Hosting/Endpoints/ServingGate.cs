using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Crnn.MLNet.Hosting.Endpoints;

/// <summary>
/// Bounds the requests scored at once across the process (options MaxConcurrentRequests and QueueLimit): a request
/// waits its turn in order; when the queue is full it is refused at once with 503 and <c>Retry-After</c>.
/// </summary>
public sealed class ServingGate : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly int _retryAfter;

    public ServingGate(IOptions<CrnnServingOptions> options)
    {
        var o = options.Value;
        _retryAfter = o.RetryAfterSeconds;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = o.MaxConcurrentRequests,
            QueueLimit = o.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>Waits for a free slot; dispose the result to free it.</summary>
    internal async Task<RateLimitLease> EnterAsync(CancellationToken cancel)
    {
        var lease = await _limiter.AcquireAsync(1, cancel);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        throw new ServingProblem(StatusCodes.Status503ServiceUnavailable, "Server busy",
            "too many requests are waiting to be scored; try again shortly.", _retryAfter);
    }

    public void Dispose() => _limiter.Dispose();
}
