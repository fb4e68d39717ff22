using Crnn.MLNet.Transforms;

namespace Crnn.MLNet.Hosting;

/// <summary>
/// Limits of the serving endpoints, bound from the configuration section <see cref="SectionName"/> (for example the
/// environment variable <c>Crnn__Serving__MaxConcurrentRequests=8</c>) and checked when the app starts.
/// </summary>
public sealed class CrnnServingOptions
{
    /// <summary>Configuration section the options are read from.</summary>
    public const string SectionName = "Crnn:Serving";

    /// <summary>Largest request body accepted, in bytes (larger: 413).</summary>
    public long MaxBodyBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Largest decoded image accepted, in pixels, checked from the image header before decoding (larger: 413).</summary>
    public long MaxImagePixels { get; set; } = CrnnDefaults.MaxImagePixels;

    /// <summary>Longest a request may take to arrive and wait for its turn (longer: 408 while reading, 503 while waiting).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests scored at once; the rest wait in a queue of <see cref="QueueLimit"/>.</summary>
    public int MaxConcurrentRequests { get; set; } = Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>Requests that may wait for a free slot; beyond it a request is refused at once with 503 and <c>Retry-After</c>.</summary>
    public int QueueLimit { get; set; } = 512;

    /// <summary>Seconds sent in <c>Retry-After</c> with a 503.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Most alternatives a request may ask for (<c>top</c>).</summary>
    public int MaxTop { get; set; } = 20;

    /// <summary>Widest beam a request may ask for (<c>beam</c>).</summary>
    public int MaxBeamWidth { get; set; } = 100;

    /// <summary>Why these options cannot be used (null when they can); names the option.</summary>
    internal string? Problem() =>
        MaxBodyBytes < 1 ? $"{nameof(MaxBodyBytes)} must be positive, got {MaxBodyBytes}"
        : MaxImagePixels < 1 ? $"{nameof(MaxImagePixels)} must be positive, got {MaxImagePixels}"
        : RequestTimeout <= TimeSpan.Zero ? $"{nameof(RequestTimeout)} must be positive, got {RequestTimeout}"
        : MaxConcurrentRequests < 1 ? $"{nameof(MaxConcurrentRequests)} must be at least 1, got {MaxConcurrentRequests}"
        : QueueLimit < 0 ? $"{nameof(QueueLimit)} must not be negative, got {QueueLimit}"
        : RetryAfterSeconds < 1 ? $"{nameof(RetryAfterSeconds)} must be at least 1, got {RetryAfterSeconds}"
        : MaxTop < 1 ? $"{nameof(MaxTop)} must be at least 1, got {MaxTop}"
        : MaxBeamWidth < 1 ? $"{nameof(MaxBeamWidth)} must be at least 1, got {MaxBeamWidth}"
        : null;
}
