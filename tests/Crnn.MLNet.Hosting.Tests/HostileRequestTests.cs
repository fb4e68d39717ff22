using System.Net;
using Crnn.MLNet.Hosting.Endpoints;
using Crnn.MLNet.Tests.Reliability;
using Microsoft.Extensions.DependencyInjection;
using static Crnn.MLNet.Hosting.Tests.EndpointTests;

namespace Crnn.MLNet.Hosting.Tests;

/// <summary>
/// Requests meant to hurt: each is answered with a 4xx (or 503) problem+json that says what is wrong, and the server
/// goes on serving the next good request.
/// </summary>
public class HostileRequestTests
{
    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, body);
        Assert.DoesNotContain("   at ", body);   // never a stack trace
    }

    private static async Task AssertStillServing(ServingHost host) =>
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/v1/classify", Png(Digit("7")))).StatusCode);

    [Fact]
    public async Task Bodies_that_are_too_big_wrong_or_broken_are_refused_by_name()
    {
        await using var host = await ServingHost.StartAsync(o => { o.MaxBodyBytes = 64 * 1024; o.MaxImagePixels = 4_000_000; });
        byte[] good = Digit("7");

        await AssertProblem(await host.Client.PostAsync("/v1/classify", Png(new byte[200 * 1024])), HttpStatusCode.RequestEntityTooLarge, "larger than the limit of 65,536 bytes");
        // A small file that claims 20000 x 20000 pixels: refused from its header, nothing decoded.
        await AssertProblem(await host.Client.PostAsync("/v1/classify", Png(PngBomb.Create(20000, 20000, fullData: false))), HttpStatusCode.RequestEntityTooLarge, "more than the limit of 4000000");
        await AssertProblem(await host.Client.PostAsync("/v1/classify", Png(good, "text/plain")), HttpStatusCode.UnsupportedMediaType, "content type 'text/plain' is not accepted");
        var noType = new ByteArrayContent(good);
        await AssertProblem(await host.Client.PostAsync("/v1/classify", noType), HttpStatusCode.UnsupportedMediaType, "no content type");
        await AssertProblem(await host.Client.PostAsync("/v1/classify", Png(good[..(good.Length / 2)])), HttpStatusCode.BadRequest, "request body:");
        await AssertProblem(await host.Client.PostAsync("/v1/classify", Png([])), HttpStatusCode.BadRequest, "empty");
        await AssertProblem(await host.Client.PostAsync("/v1/classify", Png("GIF89a garbage"u8.ToArray())), HttpStatusCode.BadRequest, "request body:");
        using (var form = new MultipartFormDataContent { { Png(good), "picture", "x.png" } })
            await AssertProblem(await host.Client.PostAsync("/v1/classify", form), HttpStatusCode.BadRequest, "no file field 'image' (fields: picture)");
        await AssertProblem(await host.Client.PostAsync("/v1/classify?top=0", Png(good)), HttpStatusCode.BadRequest, "query 'top': expected a whole number in 1..20, got '0'");
        await AssertProblem(await host.Client.PostAsync("/v1/read?beam=100000", Png(good)), HttpStatusCode.BadRequest, "query 'beam'");
        await AssertProblem(await host.Client.PostAsync("/v1/read?pattern=(a", Png(good)), HttpStatusCode.BadRequest, "pattern '(a': not a valid regular expression");
        await AssertProblem(await host.Client.PostAsync("/v1/read?alphabet=x", Png(good)), HttpStatusCode.BadRequest, "alphabet: 'x'");
        await AssertProblem(await host.Client.PostAsync("/v1/classify?input=maybe", Png(good)), HttpStatusCode.BadRequest, "query 'input'");
        await AssertStillServing(host);
    }

    [Fact]
    public async Task A_client_that_sends_too_slowly_gets_408_and_others_are_still_served()
    {
        await using var host = await ServingHost.StartAsync(o => o.RequestTimeout = TimeSpan.FromMilliseconds(500));
        var stalled = new StreamContent(new StallingStream(Digit("7")[..100], TimeSpan.FromSeconds(20)));
        stalled.Headers.ContentType = new("image/png");
        var slow = host.Client.PostAsync("/v1/classify", stalled);
        await AssertStillServing(host);
        await AssertProblem(await slow.WaitAsync(TimeSpan.FromSeconds(10)), HttpStatusCode.RequestTimeout, "option RequestTimeout");
    }

    [Fact]
    public async Task When_every_slot_and_the_queue_are_taken_requests_get_503_with_retry_after()
    {
        await using var host = await ServingHost.StartAsync(o => { o.MaxConcurrentRequests = 1; o.QueueLimit = 0; o.RetryAfterSeconds = 2; });
        var gate = host.Services.GetRequiredService<ServingGate>();
        using (await gate.EnterAsync(CancellationToken.None))
        {
            var busy = await host.Client.PostAsync("/v1/classify", Png(Digit("7")));
            await AssertProblem(busy, HttpStatusCode.ServiceUnavailable, "try again shortly");
            Assert.Equal(TimeSpan.FromSeconds(2), busy.Headers.RetryAfter?.Delta);
        }
        await AssertStillServing(host);
    }

    [Fact]
    public async Task Bad_limits_stop_the_app_at_start_naming_the_option()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => ServingHost.StartAsync(o => o.MaxConcurrentRequests = 0));
        Assert.Contains("Crnn:Serving: MaxConcurrentRequests must be at least 1, got 0", e.Message);
    }

    /// <summary>Gives its bytes, then waits (as a client that stops sending) until cancelled.</summary>
    private sealed class StallingStream(byte[] first, TimeSpan stall) : Stream
    {
        private int _sent;
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancel = default)
        {
            if (_sent < first.Length)
            {
                int n = Math.Min(buffer.Length, first.Length - _sent);
                first.AsMemory(_sent, n).CopyTo(buffer);
                _sent += n;
                return n;
            }
            await Task.Delay(stall, cancel);
            return 0;
        }
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _sent; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
