using Crnn.MLNet.Tests.Reliability.Fuzzing;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Tests.Data;
using Xunit.Abstractions;

namespace Crnn.MLNet.Training.Tests.Reliability;

/// <summary>
/// Fuzzes the IDX reader with mutated real files (the first MNIST images and labels when <c>CRNN_DATA_DIR</c> has them,
/// else synthetic ones), plain, gzipped, and mutated-then-gzipped. Every input must read consistently or fail with an
/// <see cref="InvalidDataException"/> naming the file, allocating no more than a small multiple of its data.
/// </summary>
public sealed class IdxFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private List<byte[]> Corpus()
    {
        byte[] pixels, labels;
        const int count = 40;
        if (TestData.Dir is string dir && Directory.Exists(Path.Combine(dir, "mnist")))
        {
            string mnist = Path.Combine(dir, "mnist");
            var images = IdxReader.ReadImages(Path.Combine(mnist, "t10k-images-idx3-ubyte.gz"));
            pixels = images.Pixels.AsSpan(0, count * images.PixelsPerImage).ToArray();
            labels = IdxReader.ReadLabels(Path.Combine(mnist, "t10k-labels-idx1-ubyte.gz")).AsSpan(0, count).ToArray();
        }
        else
        {
            pixels = Synthetic.Pixels(count, 28, 28);
            labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
        }
        var corpus = new List<byte[]>();
        foreach (bool gzip in new[] { false, true })
        {
            string img = _temp.Combine($"seed-images-{gzip}"), lab = _temp.Combine($"seed-labels-{gzip}");
            IdxWriter.WriteImages(img, pixels, count, 28, 28, gzip);
            IdxWriter.WriteLabels(lab, labels, gzip);
            corpus.Add(File.ReadAllBytes(img));
            corpus.Add(File.ReadAllBytes(lab));
        }
        return corpus;
    }

    [Fact]
    public void Mutated_idx_files_read_consistently_or_fail_with_an_error_naming_them()
    {
        var settings = FuzzSettings.FromEnvironment(ciIterations: 3000);
        string path = _temp.Combine("input");
        var report = MutationFuzzer.Run("idx", Corpus(), (bytes, i) =>
        {
            // Odd executions hide the mutated bytes behind a valid gzip layer, so the parser sees them through GZipStream.
            bool wrap = i % 2 == 1 && !(bytes.Length > 1 && bytes[0] == 0x1f && bytes[1] == 0x8b);
            File.WriteAllBytes(path, wrap ? Synthetic.Gzip(bytes) : bytes);
            long plainLength = wrap || !IdxReader.IsGzip(path) ? bytes.Length : 1 << 20;
            long before = GC.GetAllocatedBytesForCurrentThread();
            Exception? rejection = null;
            try
            {
                bool isLabels = LooksLikeLabels(path);
                if (isLabels)
                {
                    var labels = IdxReader.ReadLabels(path, classCount: 10);
                    if (labels.Any(l => l >= 10)) throw new FuzzCheckException("a label outside the classes was returned");
                }
                else
                {
                    var images = IdxReader.ReadImages(path, transpose: i % 3 == 0);
                    if (images.Pixels.LongLength != (long)images.Count * images.Rows * images.Columns)
                        throw new FuzzCheckException($"{images.Pixels.Length} pixels for {images.Count} images of {images.Rows}x{images.Columns}");
                }
            }
            catch (InvalidDataException e)
            {
                if (!e.Message.StartsWith(path, StringComparison.Ordinal)) throw new FuzzCheckException($"error does not name the file: {e.Message}");
                rejection = e;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > 4 * plainLength + (4 << 20))
                throw new FuzzCheckException($"allocated {allocated:N0} bytes for {plainLength:N0} bytes of data");
            if (rejection is not null) throw rejection;
        }, e => e is InvalidDataException, settings);

        report.Write(settings, output.WriteLine);
        Assert.Empty(report.Findings);
    }

    // The fourth content byte is the dimension count: 1 for labels.
    private static bool LooksLikeLabels(string path)
    {
        try
        {
            using var stream = IdxReader.OpenContent(path, out _);
            var magic = new byte[4];
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic[3] == 1;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }
}
