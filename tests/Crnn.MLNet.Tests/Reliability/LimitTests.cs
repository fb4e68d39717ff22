using System.Text;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Tests.Reliability;

/// <summary>
/// Absurd inputs are refused early, with an error naming them, and without allocating anything of the claimed size:
/// decompression-bomb images, huge or endless model files and streams, oversized or absurd metadata.
/// </summary>
public class LimitTests
{
    private static long Allocated(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static InvalidDataException Refused(Action action, string source, string fragment, long maxAllocated = 8 << 20)
    {
        InvalidDataException? e = null;
        long allocated = Allocated(() => e = Assert.Throws<InvalidDataException>(action));
        Assert.StartsWith(source + ":", e!.Message);
        Assert.Contains(fragment, e.Message);
        Assert.True(allocated < maxAllocated, $"allocated {allocated:N0} bytes before refusing");
        return e;
    }

    [Fact]
    public void Png_decompression_bomb_is_refused_from_its_header()
    {
        // 20000 x 20000 zeros: 400 MB of pixels (1.6 GB as BGRA) in a file of a few hundred KB.
        byte[] bomb = PngBomb.Create(20_000, 20_000, fullData: true);
        Assert.True(bomb.Length < 2 << 20);
        using var dir = new TempDir();
        string path = dir.File("bomb.png");
        File.WriteAllBytes(path, bomb);
        var gray = new GrayImage();
        Refused(() => CrnnImageDecoder.DecodeFile(path, 40_000_000, gray), path, "20000x20000 = 400000000 pixels, more than the limit of 40000000 (option MaxImagePixels)");
        using var recognizer = new CrnnRecognizer(CrnnOnnxModel.FromBytes(TestModels.Build(), "tiny"), ownsModel: true);
        Refused(() => recognizer.Predict(path), path, "option MaxImagePixels");
    }

    /// <summary>An in-memory MLImage over the limit is refused by the recogniser with the same message as a file.</summary>
    [Fact]
    public void An_MLImage_over_the_limit_is_refused_by_name_and_option()
    {
        using var image = Microsoft.ML.Data.MLImage.CreateFromPixels(200, 100, Microsoft.ML.Data.MLPixelFormat.Bgra32, new byte[200 * 100 * 4]);
        using var recognizer = new CrnnRecognizer(CrnnOnnxModel.FromBytes(TestModels.Build(), "tiny"),
            new CrnnRecognizerOptions { MaxImagePixels = 10_000 }, ownsModel: true);
        var e = Assert.Throws<InvalidDataException>(() => recognizer.Predict(image));
        Assert.Contains("200x100 = 20000 pixels, more than the limit of 10000 (option MaxImagePixels)", e.Message);
    }

    [Fact]
    public void Regression_huge_header_with_an_unlimited_option_is_refused_not_overflowed()
    {
        // Found reviewing the limits: with MaxImagePixels = long.MaxValue, a 30000 x 30000 header made the decoder
        // compute 30000 * 30000 * 4 in a checked int and throw OverflowException; 20000 x 20000 asked the pool for 1.6 GB.
        var gray = new GrayImage();
        foreach (int side in new[] { 20_000, 30_000, 60_000 })
            Refused(() => CrnnImageDecoder.Decode(PngBomb.Create(side, side, fullData: false), "huge.png", long.MaxValue, gray),
                "huge.png", "this decoder can hold");
    }

    [Fact]
    public void A_bomb_just_under_the_limit_decodes_with_memory_bounded_by_the_limit()
    {
        byte[] png = PngBomb.Create(2_000, 2_000, fullData: true);
        var gray = new GrayImage();
        long allocated = Allocated(() => CrnnImageDecoder.Decode(png, "big.png", 4_000_000, gray));
        Assert.Equal(2_000, gray.Width);
        // Gray output (4 MB) plus encoded copies; the BGRA scratch comes from the shared pool.
        Assert.True(allocated < 64L << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Endless_or_huge_image_streams_are_refused()
    {
        var gray = new GrayImage();
        Refused(() => CrnnImageDecoder.DecodeStream(new FakeStream(length: 1L << 40), "huge stream", 1_000_000, gray), "huge stream", "more than the limit");
    }

    [Fact]
    public void Huge_model_file_is_refused_before_reading()
    {
        using var dir = new TempDir();
        string path = dir.File("huge.onnx");
        using (var f = File.Create(path)) f.SetLength(600L << 20); // sparse: takes no disk space
        Refused(() => CrnnOnnxModel.Load(path), path, "more than the limit of 536,870,912 (option MaxModelBytes)");
        string small = TestModels.WriteTemp(dir, TestModels.Build());
        var limits = new CrnnSessionOptions { Limits = new CrnnModelLimits { MaxModelBytes = 1000 } };
        Refused(() => CrnnOnnxModel.Load(small, limits), small, "more than the limit of 1,000 (option MaxModelBytes)");
        Refused(() => CrnnOnnxModel.FromBytes(TestModels.Build(), "bytes.onnx", limits), "bytes.onnx", "option MaxModelBytes");
    }

    [Fact]
    public void Endless_model_stream_is_refused_at_the_limit()
    {
        var limits = new CrnnSessionOptions { Limits = new CrnnModelLimits { MaxModelBytes = 4 << 20 } };
        Refused(() => CrnnOnnxModel.Load(new FakeStream(length: null), "endless", limits), "endless", "more than the limit of 4,194,304 bytes", maxAllocated: 64 << 20);
        Refused(() => CrnnRecognizer.Open(new FakeStream(length: 1L << 40)), "model stream", "more than the limit");
    }

    [Fact]
    public void Oversized_metadata_is_refused_before_parsing()
    {
        string json = TestModels.Metadata().ToJson().Replace("\"producer\":\"Crnn.MLNet.Tests\"", "\"producer\":\"" + new string('p', 2 << 20) + "\"");
        var e = Refused(() => CrnnOnnxModel.FromBytes(TestModels.Build(metadataJson: json), "big-metadata.onnx"), "big-metadata.onnx",
            "more than the limit of 1,048,576 (option MaxMetadataBytes)", maxAllocated: 64 << 20);
        Assert.True(e.Message.Length < 300);
        var limits = new CrnnModelLimits { MaxMetadataBytes = 100 };
        Refused(() => CrnnModelMetadata.FromJson(TestModels.Metadata().ToJson(), "m", limits), "m", "option MaxMetadataBytes");
    }

    [Fact]
    public void Absurd_metadata_values_are_refused_with_the_option_to_change()
    {
        var many = Enumerable.Range(0, 5000).Select(i => "c" + i).ToArray();
        Refused(() => CrnnModelMetadata.FromJson(TestModels.Metadata(many).ToJson(), "m"), "m", "5000 labels, more than the limit of 4096 (option MaxLabels)");
        var longLabel = TestModels.Metadata(["a", new string('b', 100)]);
        Refused(() => CrnnModelMetadata.FromJson(longLabel.ToJson(), "m"), "m", "option MaxLabelLength");
        var bigInput = TestModels.Metadata() with { Input = new CrnnInputSpec { Height = 100_000, Width = 100_000 } };
        Refused(() => CrnnModelMetadata.FromJson(bigInput.ToJson(), "m"), "m", "input size 100000x100000 is above the limit of 1024 per side (option MaxInputSide)");
    }

    [Fact]
    public void Regression_metadata_that_validates_is_usable_by_the_normaliser()
    {
        // Found by the metadata fuzzer: a std of 1e-308 (or a mean of 1e308) validated but made every normalised input
        // infinite, and an unknown polarity validated but then failed in the normaliser with NotSupportedException.
        foreach (var bad in new[]
        {
            TestModels.Metadata() with { Normalization = new CrnnNormalization { Mean = 0.1, Std = 1e-308 } },
            TestModels.Metadata() with { Normalization = new CrnnNormalization { Mean = 1e308, Std = 1 } },
        })
            Refused(() => CrnnModelMetadata.FromJson(bad.ToJson(), "m"), "m", "normalisation needs a mean within");
        var polarity = TestModels.Metadata() with { Preprocessing = new CrnnPreprocessing { Polarity = new string('x', 5000) } };
        var e = Refused(() => CrnnModelMetadata.FromJson(polarity.ToJson(), "m"), "m", "preprocessing polarity 'xxxx");
        Assert.True(e.Message.Length < 200, "values echoed in errors are cut short");
    }

    [Fact]
    public void Wrong_input_shape_in_the_graph_is_refused_naming_the_model()
    {
        // 784 x 1 runs through the same Flatten and Gemm, so ONNX Runtime accepts the graph and our check must refuse it.
        var e = Assert.Throws<InvalidDataException>(() => CrnnOnnxModel.FromBytes(TestModels.Build(inputShape: [-1, 1, 784, 1]), "shape.onnx"));
        Assert.Equal("shape.onnx: input 'input': expected float [N,1,28,28], got float [N,1,784,1].", e.Message);
        // A graph ONNX Runtime itself rejects is named too, on one line.
        var ort = Assert.Throws<InvalidDataException>(() => CrnnOnnxModel.FromBytes(TestModels.Build(inputShape: [-1, 1, 32, 32]), "shape2.onnx"));
        Assert.StartsWith("shape2.onnx: ONNX Runtime cannot load the model", ort.Message);
        Assert.DoesNotContain('\n', ort.Message);
    }

    /// <summary>A read-only stream of zeros, seekable with a claimed length, or endless when the length is null.</summary>
    private sealed class FakeStream(long? length) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => length is not null;
        public override bool CanWrite => false;
        public override long Length => length ?? throw new NotSupportedException();
        public override long Position { get; set; }
        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            Position += count;
            return count;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
