using System.Diagnostics;
using Crnn.MLNet.Hosting.Contracts;
using Crnn.MLNet.Hosting.Models;
using Crnn.MLNet.Imaging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crnn.MLNet.Hosting.Endpoints;

/// <summary><c>POST /v1/classify</c>: one image of one character.</summary>
internal static class ClassifyEndpoint
{
    public static Task<IResult> HandleAsync(HttpContext http, CrnnRecognizerSlot slot, ServingGate gate, IOptions<CrnnServingOptions> options,
        ILogger<CrnnRecognizerSlot> logger, string? top, string? input) =>
        ServingRequest.RunAsync(http, options.Value, logger, async cancel =>
        {
            var o = options.Value;
            var total = Stopwatch.StartNew();
            int k = ServingRequest.InRange("top", top, 3, 1, o.MaxTop);
            bool wantInput = ServingRequest.Flag("input", input);
            var (body, queueMs, permit) = await ServingRequest.AdmitAsync(http.Request, o, gate, cancel);
            using var _ = permit;
            using var lease = slot.Acquire();
            var recognizer = lease.Value;

            var step = Stopwatch.StartNew();
            var gray = new GrayImage();
            CrnnImageDecoder.Decode(body, "request body", o.MaxImagePixels, gray);
            ModelInputView? view = wantInput ? View(recognizer, gray) : null;
            double decodeMs = step.Elapsed.TotalMilliseconds;
            step.Restart();
            var p = recognizer.Predict(gray.Pixels, gray.Width, gray.Height);
            double scoreMs = step.Elapsed.TotalMilliseconds;

            var alternatives = p.Top(k).Select(a => new LabelProbability(a.Label, a.Probability)).ToList();
            var timings = new ServingTimings(queueMs, decodeMs, scoreMs, total.Elapsed.TotalMilliseconds);
            return Results.Json(new ClassifyResponse(p.Label, p.Confidence, alternatives, timings, view), ServingRequest.Json);
        });

    // The 28 x 28 input as the model sees it.
    private static ModelInputView View(Recognition.CrnnRecognizer recognizer, GrayImage gray)
    {
        var meta = recognizer.Model.Metadata;
        var normalizer = new HandwritingNormalizer(meta, recognizer.Options.Polarity, recognizer.Options.Framing, recognizer.Options.Cleanup);
        var x = new float[normalizer.OutputSize];
        normalizer.Normalize(gray.Pixels, gray.Width, gray.Height, x);
        return ModelInputView.FromNormalized(x, meta.Input.Width, meta.Input.Height, meta.Normalization);
    }
}
