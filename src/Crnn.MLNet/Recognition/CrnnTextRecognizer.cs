using System.Buffers;
using System.Collections.Concurrent;
using Crnn.MLNet.Decoding;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Recognition;

/// <summary>
/// Reads lines of handwriting with a CRNN line (CTC) ONNX model, without ML.NET pipelines: each picture is normalised
/// (<see cref="CrnnLineNormalizer"/>), scored, and decoded (<see cref="CrnnCtcDecoder"/>).
/// </summary>
/// <remarks>
/// <para>Batched calls score up to <see cref="CrnnTextRecognizerOptions.BatchSize"/> lines per ONNX Runtime run. By
/// default a batch only holds lines of the same normalised width, so results do not depend on what else is in the batch;
/// see <see cref="CrnnTextRecognizerOptions.PadBatches"/> for the faster, padded alternative.</para>
/// <para>Thread safety: all <c>Predict</c> methods may be called from several threads at once on one instance (the ONNX
/// Runtime session allows concurrent runs, the decoder is immutable, scratch buffers are per call).
/// <see cref="Dispose"/> must not run concurrently with a prediction.</para>
/// <code>
/// using var reader = CrnnTextRecognizer.Open("models/digit-lines.onnx");
/// CrnnTextPrediction r = reader.Predict("line.png");
/// Console.WriteLine($"{r.Text} {r.Confidence:P1}");
/// </code>
/// </remarks>
public sealed class CrnnTextRecognizer : IDisposable
{
    private readonly bool _ownsModel;
    private readonly ConcurrentBag<Worker> _workers = [];

    /// <exception cref="ArgumentException">An option is out of range, or the decoding constraint does not fit the model's labels.</exception>
    public CrnnTextRecognizer(CrnnLineOnnxModel model, CrnnTextRecognizerOptions? options = null, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        Options = options ?? new CrnnTextRecognizerOptions();
        if (Options.Decoding is null) throw new ArgumentNullException(nameof(options), "Decoding must not be null");
        if (Options.Session is null) throw new ArgumentNullException(nameof(options), "Session must not be null");
        if (!Enum.IsDefined(Options.Polarity)) throw new ArgumentOutOfRangeException(nameof(options), Options.Polarity, "unknown Polarity");
        if (Options.BatchSize is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(options), Options.BatchSize, "BatchSize must be in 1..4096");
        if (Options.MaxImagePixels < 1) throw new ArgumentOutOfRangeException(nameof(options), Options.MaxImagePixels, "MaxImagePixels must be positive");
        Decoder = new CrnnCtcDecoder(model.Labels, Options.Decoding);
        Model = model;
        _ownsModel = ownsModel;
    }

    /// <summary>Opens a line model file (checked: metadata, input and output shapes, time steps).</summary>
    public static CrnnTextRecognizer Open(string modelPath, CrnnTextRecognizerOptions? options = null)
    {
        options ??= new CrnnTextRecognizerOptions();
        CrnnImageDecoder.PreloadInBackground();
        var model = CrnnLineOnnxModel.Load(modelPath, options.Session);
        try { return new CrnnTextRecognizer(model, options, ownsModel: true); }
        catch { model.Dispose(); throw; }
    }

    /// <summary>Opens a line model from a stream.</summary>
    public static CrnnTextRecognizer Open(Stream model, CrnnTextRecognizerOptions? options = null)
    {
        options ??= new CrnnTextRecognizerOptions();
        CrnnImageDecoder.PreloadInBackground();
        var m = CrnnLineOnnxModel.Load(model, "model stream", options.Session);
        try { return new CrnnTextRecognizer(m, options, ownsModel: true); }
        catch { m.Dispose(); throw; }
    }

    public CrnnLineOnnxModel Model { get; }
    public CrnnTextRecognizerOptions Options { get; }
    public CrnnCtcDecoder Decoder { get; }
    public IReadOnlyList<string> Labels => Model.Labels;

    /// <summary>Reads the line in an image file (PNG, JPEG, BMP, GIF, WebP).</summary>
    public CrnnTextPrediction Predict(string imagePath) => Single(w => w.FromFile(imagePath));

    /// <summary>Reads the line in an encoded image stream.</summary>
    public CrnnTextPrediction Predict(Stream image, string source = "image stream") => Single(w => w.FromStream(image, source));

    /// <summary>Reads the line in encoded image bytes (PNG, JPEG, ...).</summary>
    public CrnnTextPrediction Predict(byte[] encodedImage, string source = "image bytes")
    {
        ArgumentNullException.ThrowIfNull(encodedImage);
        return Single(w => w.FromEncoded(encodedImage, source));
    }

    /// <summary>
    /// Reads an encoded image stream asynchronously (as servers must: Kestrel refuses synchronous body reads), then
    /// reads the line in it. The stream is read to its end, up to <see cref="CrnnImageDecoder.MaxFileBytes"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is unreadable, too long, or not a usable image; the message names <paramref name="source"/>.</exception>
    public async Task<CrnnTextPrediction> PredictAsync(Stream image, string source = "image stream", CancellationToken cancellationToken = default)
    {
        byte[] bytes = await BoundedRead.ReadToEndAsync(image, CrnnImageDecoder.MaxFileBytes, source, "image stream", cancellationToken).ConfigureAwait(false);
        return Predict(bytes, source);
    }

    /// <summary>Reads the line in an <see cref="MLImage"/>.</summary>
    public CrnnTextPrediction Predict(MLImage image) => Single(w => w.FromImage(image, "image"));

    /// <summary>Reads the line in a decoded grayscale image.</summary>
    public CrnnTextPrediction Predict(GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Single(w => w.Normalizer.Normalize(image.Pixels, image.Width, image.Height));
    }

    /// <summary>Reads an 8-bit grayscale image (row-major, <paramref name="width"/> x <paramref name="height"/>).</summary>
    public CrnnTextPrediction Predict(ReadOnlySpan<byte> gray, int width, int height)
    {
        var w = Rent();
        try { return Score([w.Normalizer.Normalize(gray, width, height)])[0]; }
        finally { Return(w); }
    }

    /// <summary>Reads an already normalised line (from <see cref="CrnnLineNormalizer"/> for this model).</summary>
    public CrnnTextPrediction Predict(CrnnLineInput line)
    {
        Check(line, "line");
        return Score([line])[0];
    }

    /// <summary>Reads many image files, batched. Throws on the first bad file.</summary>
    public IReadOnlyList<CrnnTextPrediction> Predict(IEnumerable<string> imagePaths) =>
        PredictAll(imagePaths, (w, p) => w.FromFile(p), p => p).Select(r => r.Prediction ?? throw new InvalidDataException(r.Error)).ToArray();

    /// <summary>Reads many images, batched. Throws on the first bad image.</summary>
    public IReadOnlyList<CrnnTextPrediction> Predict(IEnumerable<MLImage> images) =>
        PredictAll(images, (w, i) => w.FromImage(i, "image"), _ => "image").Select(r => r.Prediction ?? throw new InvalidDataException(r.Error)).ToArray();

    /// <summary>Reads many normalised lines, batched.</summary>
    public IReadOnlyList<CrnnTextPrediction> Predict(IEnumerable<CrnnLineInput> lines) =>
        PredictAll(lines, (_, l) => { Check(l, "line"); return l; }, _ => "line").Select(r => r.Prediction ?? throw new ArgumentException(r.Error)).ToArray();

    /// <summary>Reads many image files, batched; a bad file gives a result with its error instead of throwing.</summary>
    public IReadOnlyList<CrnnBatchResult<CrnnTextPrediction>> TryPredict(IEnumerable<string> imagePaths) => PredictAll(imagePaths, (w, p) => w.FromFile(p), p => p);

    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }

    private void Check(CrnnLineInput line, string name)
    {
        ArgumentNullException.ThrowIfNull(line, name);
        if (line.Height != Model.InputHeight || line.Width < Model.TimeStepWidth || line.Width > Model.Metadata.Input.MaxWidth
            || line.Width % Model.TimeStepWidth != 0 || line.Pixels is null || line.Pixels.Length < line.Height * line.Width)
            throw new ArgumentException($"{name}: expected {Model.InputHeight} rows and a width that is a multiple of {Model.TimeStepWidth} up to {Model.Metadata.Input.MaxWidth}, got {line.Height}x{line.Width} with {line.Pixels?.Length ?? 0} values.", name);
    }

    // Lines are read in windows: normalised, sorted by width, scored in batches, decoded, and returned in input order.
    private const int Window = 1024;

    private List<CrnnBatchResult<CrnnTextPrediction>> PredictAll<T>(IEnumerable<T> items, Func<Worker, T, CrnnLineInput> load, Func<T, string> name)
    {
        ArgumentNullException.ThrowIfNull(items);
        var results = new List<CrnnBatchResult<CrnnTextPrediction>>();
        var lines = new List<(int Result, CrnnLineInput Line)>();
        var w = Rent();
        try
        {
            void Flush()
            {
                var scored = Score(lines.Select(l => l.Line).ToArray());
                for (int i = 0; i < lines.Count; i++) results[lines[i].Result] = results[lines[i].Result] with { Prediction = scored[i] };
                lines.Clear();
            }
            foreach (var item in items)
            {
                string source = name(item);
                try
                {
                    lines.Add((results.Count, load(w, item)));
                    results.Add(new CrnnBatchResult<CrnnTextPrediction>(source, null, null));
                }
                catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or UnauthorizedAccessException)
                {
                    results.Add(new CrnnBatchResult<CrnnTextPrediction>(source, null, e.Message));
                }
                if (lines.Count == Window) Flush();
            }
            if (lines.Count > 0) Flush();
            return results;
        }
        finally { Return(w); }
    }

    /// <summary>Scores and decodes normalised lines, batching them by width; results in input order.</summary>
    private CrnnTextPrediction[] Score(IReadOnlyList<CrnnLineInput> lines)
    {
        var results = new CrnnTextPrediction[lines.Count];
        var order = Enumerable.Range(0, lines.Count).OrderBy(i => lines[i].Width).ThenBy(i => i).ToArray();
        int h = Model.InputHeight, classes = Model.ClassCount, batch = Options.BatchSize;
        float background = (float)(-Model.Metadata.Normalization.Mean / Model.Metadata.Normalization.Std);
        for (int start = 0; start < order.Length;)
        {
            int end = start + 1;
            while (end < order.Length && end - start < batch && (Options.PadBatches || lines[order[end]].Width == lines[order[start]].Width)) end++;
            int count = end - start, width = lines[order[end - 1]].Width, steps = Model.TimeSteps(width);
            int size = h * width;
            float[] x = ArrayPool<float>.Shared.Rent(count * size);
            float[] y = ArrayPool<float>.Shared.Rent(count * steps * classes);
            try
            {
                for (int b = 0; b < count; b++)
                {
                    var line = lines[order[start + b]];
                    var dst = x.AsSpan(b * size, size);
                    if (line.Width == width) line.Pixels.AsSpan(0, size).CopyTo(dst);
                    else
                    {
                        // Padded on the right with the background value (ink is bright, paper is 0 before normalisation).
                        dst.Fill(background);
                        for (int r = 0; r < h; r++) line.Pixels.AsSpan(r * line.Width, line.Width).CopyTo(dst.Slice(r * width));
                    }
                }
                Model.Run(x.AsMemory(0, count * size), count, width, y.AsMemory(0, count * steps * classes));
                for (int b = 0; b < count; b++)
                {
                    // A padded line is decoded over its own time steps only.
                    int own = Model.TimeSteps(lines[order[start + b]].Width);
                    results[order[start + b]] = Decoder.Decode(y.AsSpan(b * steps * classes, own * classes), own);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(x);
                ArrayPool<float>.Shared.Return(y);
            }
            start = end;
        }
        return results;
    }

    private CrnnTextPrediction Single(Func<Worker, CrnnLineInput> load)
    {
        var w = Rent();
        try { return Score([load(w)])[0]; }
        finally { Return(w); }
    }

    private Worker Rent() => _workers.TryTake(out var w) ? w : new Worker(this);

    private void Return(Worker w)
    {
        if (_workers.Count < Environment.ProcessorCount) _workers.Add(w);
    }

    /// <summary>Image decoding and normalisation scratch for one caller at a time.</summary>
    private sealed class Worker(CrnnTextRecognizer owner)
    {
        private readonly GrayImage _gray = new();

        public CrnnLineNormalizer Normalizer { get; } = new(owner.Model.Metadata, owner.Options.Polarity, owner.Options.Cleanup);

        public CrnnLineInput FromFile(string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            CrnnImageDecoder.DecodeFile(path, owner.Options.MaxImagePixels, _gray);
            return Normalizer.Normalize(_gray.Pixels, _gray.Width, _gray.Height);
        }

        public CrnnLineInput FromStream(Stream stream, string source)
        {
            CrnnImageDecoder.DecodeStream(stream, source, owner.Options.MaxImagePixels, _gray);
            return Normalizer.Normalize(_gray.Pixels, _gray.Width, _gray.Height);
        }

        public CrnnLineInput FromEncoded(byte[] bytes, string source)
        {
            CrnnImageDecoder.Decode(bytes, source, owner.Options.MaxImagePixels, _gray);
            return Normalizer.Normalize(_gray.Pixels, _gray.Width, _gray.Height);
        }

        public CrnnLineInput FromImage(MLImage image, string source)
        {
            ArgumentNullException.ThrowIfNull(image);
            var pixels = MLImagePixels.Checked(image, source, owner.Options.MaxImagePixels);
            return Normalizer.NormalizeColor(pixels, image.Width, image.Height, image.PixelFormat == MLPixelFormat.Bgra32);
        }
    }
}
