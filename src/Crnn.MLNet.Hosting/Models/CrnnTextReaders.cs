using System.Collections.Concurrent;
using Crnn.MLNet.Decoding;
using Crnn.MLNet.Model;
using Crnn.MLNet.Recognition;

namespace Crnn.MLNet.Hosting.Models;

/// <summary>
/// A loaded line model and its readers, one per decoding setting asked for (pattern, alphabet, beam), all sharing the
/// model's ONNX Runtime session. Building a reader compiles its pattern once; the most recent ones are kept.
/// </summary>
public sealed class CrnnTextReaders : IDisposable
{
    /// <summary>Readers kept for different decoding settings before the cache starts over.</summary>
    public const int MaxCachedReaders = 64;

    private readonly ConcurrentDictionary<CrnnCtcDecodingOptions, CrnnTextRecognizer> _readers = new();
    private readonly long _maxImagePixels;

    public CrnnTextReaders(CrnnLineOnnxModel model, long maxImagePixels)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        _maxImagePixels = maxImagePixels;
        Default = For(CrnnCtcDecodingOptions.Default);
    }

    public CrnnLineOnnxModel Model { get; }

    /// <summary>The reader with the default decoding (beam search, no constraint).</summary>
    public CrnnTextRecognizer Default { get; }

    /// <summary>A reader decoding with <paramref name="decoding"/>.</summary>
    /// <exception cref="ArgumentException">The pattern or alphabet is not valid for this model (the message says why).</exception>
    public CrnnTextRecognizer For(CrnnCtcDecodingOptions decoding)
    {
        if (_readers.TryGetValue(decoding, out var reader)) return reader;
        var made = new CrnnTextRecognizer(Model, new CrnnTextRecognizerOptions { Decoding = decoding, MaxImagePixels = _maxImagePixels }, ownsModel: false);
        // Readers own nothing but their decoder: dropping them from the cache needs no disposal.
        if (_readers.Count >= MaxCachedReaders) _readers.Clear();
        return _readers.GetOrAdd(decoding, made);
    }

    public void Dispose() => Model.Dispose();
}
