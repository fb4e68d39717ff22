using System.Diagnostics;
using Crnn.MLNet.Decoding;
using Crnn.MLNet.Hosting.Contracts;
using Crnn.MLNet.Hosting.Models;
using Crnn.MLNet.Imaging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crnn.MLNet.Hosting.Endpoints;

/// <summary><c>POST /v1/read</c>: one image of one line of writing.</summary>
internal static class ReadEndpoint
{
    public static Task<IResult> HandleAsync(HttpContext http, CrnnTextRecognizerSlot slot, ServingGate gate, IOptions<CrnnServingOptions> options,
        ILogger<CrnnTextRecognizerSlot> logger, string? top, string? pattern, string? alphabet, string? beam, string? input) =>
        ServingRequest.RunAsync(http, options.Value, logger, async cancel =>
        {
            var o = options.Value;
            var total = Stopwatch.StartNew();
            var decoding = new CrnnCtcDecodingOptions
            {
                Alternatives = ServingRequest.InRange("top", top, CrnnCtcDecodingOptions.DefaultAlternatives, 0, o.MaxTop),
                BeamWidth = ServingRequest.InRange("beam", beam, CrnnCtcDecodingOptions.DefaultBeamWidth, 1, o.MaxBeamWidth),
                Pattern = string.IsNullOrEmpty(pattern) ? null : pattern,
                Alphabet = string.IsNullOrEmpty(alphabet) ? null : alphabet,
            };
            bool wantInput = ServingRequest.Flag("input", input);
            var (body, queueMs, permit) = await ServingRequest.AdmitAsync(http.Request, o, gate, cancel);
            using var _ = permit;
            using var lease = slot.Acquire();
            Recognition.CrnnTextRecognizer reader;
            try
            {
                reader = lease.Value.For(decoding);
            }
            catch (ArgumentException e)
            {
                throw ServingProblem.BadRequest(e.Message.Replace(" (Parameter 'options')", "").Replace(" (Parameter 'pattern')", ""));
            }

            var step = Stopwatch.StartNew();
            var gray = new GrayImage();
            CrnnImageDecoder.Decode(body, "request body", o.MaxImagePixels, gray);
            var line = new CrnnLineNormalizer(lease.Value.Model.Metadata, reader.Options.Polarity, reader.Options.Cleanup).Normalize(gray.Pixels, gray.Width, gray.Height);
            double decodeMs = step.Elapsed.TotalMilliseconds;
            step.Restart();
            var r = reader.Predict(line);
            double scoreMs = step.Elapsed.TotalMilliseconds;

            var characters = r.Characters.Select(c => new ReadCharacter(c.Character, c.Confidence, c.FirstStep, c.LastStep,
                c.Alternatives.Select(a => new LabelProbability(a.Character, a.Probability)).ToList())).ToList();
            var view = wantInput ? ModelInputView.FromNormalized(line.Pixels, line.Width, line.Height, lease.Value.Model.Metadata.Normalization) : null;
            var timings = new ServingTimings(queueMs, decodeMs, scoreMs, total.Elapsed.TotalMilliseconds);
            return Results.Json(new ReadResponse(r.Text, r.Confidence, characters, timings, view), ServingRequest.Json);
        });
}
