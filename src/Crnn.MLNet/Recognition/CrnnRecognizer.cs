using System.Collections.Concurrent;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Transforms;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Recognition;

/// <summary>One recognised character.</summary>
/// <param name="Label">The most likely label.</param>
/// <param name="ClassIndex">Its index in the model's labels.</param>
/// <param name="Confidence">Its probability.</param>
/// <param name="Probabilities">Probability of every class, in the model's label order.</param>
/// <param name="Labels">The model's labels.</param>
public sealed record CrnnPrediction(string Label, int ClassIndex, float Confidence, float[] Probabilities, IReadOnlyList<string> Labels)
{
    /// <summary>The <paramref name="k"/> most likely classes, most likely first (ties: lower class index first).</summary>
    public IReadOnlyList<(string Label, int ClassIndex, float Probability)> Top(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        return Enumerable.Range(0, Probabilities.Length)
            .OrderByDescending(i => Probabilities[i]).ThenBy(i => i)
            .Take(k)
            .Select(i => (Labels[i], i, Probabilities[i]))
            .ToArray();
    }

    internal static CrnnPrediction From(ReadOnlySpan<float> probabilities, IReadOnlyList<string> labels)
    {
        var p = probabilities.ToArray();
        int best = CrnnArgMax.Of(p, true);
        if (best < 0) throw new InvalidOperationException("the model returned NaN probabilities.");
        return new CrnnPrediction(labels[best], best, p[best], p, labels);
    }
}

/// <summary>Settings of a <see cref="CrnnRecognizer"/>.</summary>
public sealed record CrnnRecognizerOptions
{
    public InkPolarity Polarity { get; init; } = CrnnDefaults.Polarity;
    /// <summary>Framing of images and streams (pixel spans of the model's size can choose per call).</summary>
    public CharacterFraming Framing { get; init; } = CharacterFraming.Fit;
    /// <summary>Clean-up of real crops before framing (default: drop neighbours' fragments and specks; see <see cref="CharacterCleanup"/>).</summary>
    public CharacterCleanup Cleanup { get; init; } = CrnnDefaults.Cleanup;
    /// <summary>Images per ONNX Runtime run in batched calls.</summary>
    public int BatchSize { get; init; } = CrnnDefaults.BatchSize;
    /// <summary>Largest image decoded (width x height), checked from the header before decoding.</summary>
    public long MaxImagePixels { get; init; } = CrnnDefaults.MaxImagePixels;
    public CrnnSessionOptions Session { get; init; } = CrnnSessionOptions.Default;
}

/// <summary>
/// Recognises single handwritten characters with a CRNN ONNX model, without ML.NET pipelines.
/// </summary>
/// <remarks>
/// Thread safety: all <c>Predict</c> methods may be called from several threads at once on one instance (the ONNX
/// Runtime session allows concurrent runs; scratch buffers are per call). <see cref="Dispose"/> must not run
/// concurrently with a prediction.
/// <code>
/// using var recognizer = CrnnRecognizer.Open("models/mnist-crnn.onnx");
/// CrnnPrediction p = recognizer.Predict("digit.png");
/// Console.WriteLine($"{p.Label} {p.Confidence:P1}");
/// </code>
/// </remarks>
public sealed class CrnnRecognizer : IDisposable
{
    private readonly bool _ownsModel;
    private readonly ConcurrentBag<Worker> _workers = [];

    public CrnnRecognizer(CrnnOnnxModel model, CrnnRecognizerOptions? options = null, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        Options = options ?? new CrnnRecognizerOptions();
        if (Options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), Options.BatchSize, "BatchSize must be positive");
        if (Options.MaxImagePixels < 1) throw new ArgumentOutOfRangeException(nameof(options), Options.MaxImagePixels, "MaxImagePixels must be positive");
        Model = model;
        _ownsModel = ownsModel;
    }

    /// <summary>Opens a model file (checked: metadata, input and output shapes).</summary>
    public static CrnnRecognizer Open(string modelPath, CrnnRecognizerOptions? options = null)
    {
        options ??= new CrnnRecognizerOptions();
        CrnnImageDecoder.PreloadInBackground();
        return new CrnnRecognizer(CrnnOnnxModel.Load(modelPath, options.Session), options, ownsModel: true);
    }

    /// <summary>Opens a model from a stream.</summary>
    public static CrnnRecognizer Open(Stream model, CrnnRecognizerOptions? options = null)
    {
        options ??= new CrnnRecognizerOptions();
        CrnnImageDecoder.PreloadInBackground();
        return new CrnnRecognizer(CrnnOnnxModel.Load(model, "model stream", options.Session), options, ownsModel: true);
    }

    public CrnnOnnxModel Model { get; }
    public CrnnRecognizerOptions Options { get; }
    public IReadOnlyList<string> Labels => Model.Labels;

    /// <summary>Recognises the character in an image file (PNG, JPEG, BMP, GIF, WebP).</summary>
    public CrnnPrediction Predict(string imagePath) => Single(w => w.FromFile(imagePath));

    /// <summary>Recognises the character in an encoded image stream.</summary>
    public CrnnPrediction Predict(Stream image, string source = "image stream") => Single(w => w.FromStream(image, source));

    /// <summary>Recognises the character in encoded image bytes (PNG, JPEG, BMP, GIF, WebP), e.g. a request body.</summary>
    public CrnnPrediction Predict(ReadOnlyMemory<byte> encodedImage, string source = "image bytes") => Single(w => w.FromEncoded(encodedImage, source));

    /// <summary>
    /// Reads an encoded image stream asynchronously (as servers must: Kestrel refuses synchronous body reads), then
    /// recognises it. The stream is read to its end, up to <see cref="CrnnImageDecoder.MaxFileBytes"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is unreadable, too long, or not a usable image; the message names <paramref name="source"/>.</exception>
    public async Task<CrnnPrediction> PredictAsync(Stream image, string source = "image stream", CancellationToken cancellationToken = default)
    {
        byte[] bytes = await BoundedRead.ReadToEndAsync(image, CrnnImageDecoder.MaxFileBytes, source, "image stream", cancellationToken).ConfigureAwait(false);
        return Predict(bytes, source);
    }

    /// <summary>Recognises the character in an <see cref="MLImage"/>.</summary>
    public CrnnPrediction Predict(MLImage image) => Single(w => w.FromImage(image, "image"));

    /// <summary>
    /// Recognises an 8-bit grayscale image (row-major). <paramref name="framing"/> overrides the options, e.g.
    /// <see cref="CharacterFraming.None"/> for 28 x 28 rows of an MNIST IDX file.
    /// </summary>
    public CrnnPrediction Predict(ReadOnlySpan<byte> gray, int width, int height, CharacterFraming? framing = null)
    {
        var w = Rent();
        try
        {
            w.Normalizer(framing).Normalize(gray, width, height, w.Input(0));
            return w.Score(1, Labels)[0];
        }
        finally { Return(w); }
    }

    /// <summary>Recognises a grayscale image given as floats in 0..255 (row-major).</summary>
    public CrnnPrediction Predict(ReadOnlySpan<float> gray, int width, int height, CharacterFraming? framing = null)
    {
        var w = Rent();
        try
        {
            w.Normalizer(framing).Normalize(gray, width, height, w.Input(0));
            return w.Score(1, Labels)[0];
        }
        finally { Return(w); }
    }

    /// <summary>Recognises many image files, <see cref="CrnnRecognizerOptions.BatchSize"/> per ONNX Runtime run. Throws on the first bad file.</summary>
    public IReadOnlyList<CrnnPrediction> Predict(IEnumerable<string> imagePaths) =>
        PredictAll(imagePaths, (w, p) => w.FromFile(p), p => p).Select(r => r.Prediction ?? throw new InvalidDataException(r.Error)).ToArray();

    /// <summary>Recognises many images, batched. Throws on the first bad image.</summary>
    public IReadOnlyList<CrnnPrediction> Predict(IEnumerable<MLImage> images) =>
        PredictAll(images, (w, i) => w.FromImage(i, "image"), _ => "image").Select(r => r.Prediction ?? throw new InvalidDataException(r.Error)).ToArray();

    /// <summary>Recognises many image files, batched; a bad file gives a result with its error instead of throwing.</summary>
    public IReadOnlyList<CrnnBatchResult<CrnnPrediction>> TryPredict(IEnumerable<string> imagePaths) => PredictAll(imagePaths, (w, p) => w.FromFile(p), p => p);

    private List<CrnnBatchResult<CrnnPrediction>> PredictAll<T>(IEnumerable<T> items, Action<Worker, T> load, Func<T, string> name)
    {
        ArgumentNullException.ThrowIfNull(items);
        var results = new List<CrnnBatchResult<CrnnPrediction>>();
        var pending = new List<(int Result, int Slot)>();
        var w = Rent();
        try
        {
            int slot = 0;
            void Flush()
            {
                if (slot == 0) return;
                var predictions = w.Score(slot, Labels);
                foreach (var (r, s) in pending) results[r] = results[r] with { Prediction = predictions[s] };
                pending.Clear();
                slot = 0;
            }
            foreach (var item in items)
            {
                string source = name(item);
                try
                {
                    w.Slot = slot;
                    load(w, item);
                    pending.Add((results.Count, slot++));
                    results.Add(new CrnnBatchResult<CrnnPrediction>(source, null, null));
                }
                catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or UnauthorizedAccessException)
                {
                    results.Add(new CrnnBatchResult<CrnnPrediction>(source, null, e.Message));
                }
                if (slot == Options.BatchSize) Flush();
            }
            Flush();
            return results;
        }
        finally { Return(w); }
    }

    private CrnnPrediction Single(Action<Worker> load)
    {
        var w = Rent();
        try
        {
            w.Slot = 0;
            load(w);
            return w.Score(1, Labels)[0];
        }
        finally { Return(w); }
    }

    private Worker Rent() => _workers.TryTake(out var w) ? w : new Worker(this);

    private void Return(Worker w)
    {
        if (_workers.Count < Environment.ProcessorCount) _workers.Add(w);
    }

    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }

    /// <summary>Scratch buffers for one caller at a time.</summary>
    private sealed class Worker
    {
        private readonly CrnnRecognizer _owner;
        private readonly HandwritingNormalizer _fit, _none;
        private readonly GrayImage _gray = new();
        private readonly float[] _x, _probs;
        private readonly int _size, _classes;

        public Worker(CrnnRecognizer owner)
        {
            _owner = owner;
            var m = owner.Model;
            _size = m.InputSize;
            _classes = m.ClassCount;
            _fit = new HandwritingNormalizer(m.Metadata, owner.Options.Polarity, CharacterFraming.Fit, owner.Options.Cleanup);
            _none = new HandwritingNormalizer(m.Metadata, owner.Options.Polarity, CharacterFraming.None, owner.Options.Cleanup);
            _x = new float[owner.Options.BatchSize * _size];
            _probs = new float[owner.Options.BatchSize * _classes];
        }

        public int Slot { get; set; }

        public HandwritingNormalizer Normalizer(CharacterFraming? framing) =>
            (framing ?? _owner.Options.Framing) == CharacterFraming.None ? _none : _fit;

        public Span<float> Input(int slot) => _x.AsSpan(slot * _size, _size);

        public void FromFile(string path)
        {
            CrnnImageDecoder.DecodeFile(path, _owner.Options.MaxImagePixels, _gray);
            Normalizer(null).Normalize(_gray.Pixels, _gray.Width, _gray.Height, Input(Slot));
        }

        public void FromStream(Stream stream, string source)
        {
            CrnnImageDecoder.DecodeStream(stream, source, _owner.Options.MaxImagePixels, _gray);
            Normalizer(null).Normalize(_gray.Pixels, _gray.Width, _gray.Height, Input(Slot));
        }

        public void FromEncoded(ReadOnlyMemory<byte> bytes, string source)
        {
            CrnnImageDecoder.Decode(bytes.Span, source, _owner.Options.MaxImagePixels, _gray);
            Normalizer(null).Normalize(_gray.Pixels, _gray.Width, _gray.Height, Input(Slot));
        }

        public void FromImage(MLImage image, string source)
        {
            ArgumentNullException.ThrowIfNull(image);
            var pixels = MLImagePixels.Checked(image, source, _owner.Options.MaxImagePixels);
            Normalizer(null).NormalizeColor(pixels, image.Width, image.Height, image.PixelFormat == MLPixelFormat.Bgra32, Input(Slot));
        }

        public CrnnPrediction[] Score(int count, IReadOnlyList<string> labels)
        {
            _owner.Model.Run(_x, count, _probs);
            var result = new CrnnPrediction[count];
            for (int i = 0; i < count; i++) result[i] = CrnnPrediction.From(_probs.AsSpan(i * _classes, _classes), labels);
            return result;
        }
    }
}
