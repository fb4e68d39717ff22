using Crnn.MLNet.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crnn.MLNet.Hosting.Models;

/// <summary>The served line (CTC) model and its readers.</summary>
public sealed class CrnnTextRecognizerSlot(IOptions<CrnnServingOptions> serving, CrnnModelFileOptions file, ILogger<CrnnTextRecognizerSlot> logger)
    : CrnnModelSlot<CrnnTextReaders>("line", file,
        path => new CrnnTextReaders(CrnnLineOnnxModel.Load(path), serving.Value.MaxImagePixels), logger);
