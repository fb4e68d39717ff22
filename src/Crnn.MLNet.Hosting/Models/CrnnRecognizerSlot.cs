using Crnn.MLNet.Recognition;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crnn.MLNet.Hosting.Models;

/// <summary>The served character classifier (one shared, thread-safe <see cref="CrnnRecognizer"/>).</summary>
public sealed class CrnnRecognizerSlot(IOptions<CrnnServingOptions> serving, CrnnModelFileOptions file, ILogger<CrnnRecognizerSlot> logger)
    : CrnnModelSlot<CrnnRecognizer>("classifier", file,
        path => CrnnRecognizer.Open(path, new CrnnRecognizerOptions { MaxImagePixels = serving.Value.MaxImagePixels }), logger);
