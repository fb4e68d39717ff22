using System.Buffers.Binary;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Training.Tests.Data;

public class IdxReaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] Header(uint magic, params uint[] dims)
    {
        var header = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteUInt32BigEndian(header, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);
        return header;
    }

    private string Write(string name, byte[] content, bool gzip = false)
    {
        string path = _temp.Combine(name);
        File.WriteAllBytes(path, gzip ? Synthetic.Gzip(content) : content);
        return path;
    }

    private static InvalidDataException AssertInvalid(string path, Action read, params string[] fragments)
    {
        var e = Assert.Throws<InvalidDataException>(read);
        Assert.StartsWith(path, e.Message);
        foreach (string f in fragments) Assert.Contains(f, e.Message);
        return e;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImagesAndLabelsRoundTrip(bool gzip)
    {
        var pixels = Synthetic.Pixels(5, 4, 3);
        var labels = Synthetic.Labels(5, 3);
        string images = _temp.Combine("images"), labelsPath = _temp.Combine("labels");
        IdxWriter.WriteImages(images, pixels, 5, 4, 3, gzip);
        IdxWriter.WriteLabels(labelsPath, labels, gzip);

        Assert.Equal(gzip, IdxReader.IsGzip(images));
        var (read, readLabels) = IdxReader.ReadPair(images, labelsPath, classCount: 3);
        Assert.Equal((5, 4, 3), (read.Count, read.Rows, read.Columns));
        Assert.Equal(pixels, read.Pixels);
        Assert.Equal(labels, readLabels);
    }

    [Fact]
    public void GzipIsDetectedByContentNotByName()
    {
        var pixels = Synthetic.Pixels(2, 2, 2);
        var content = Header(IdxReader.ImagesMagic, 2, 2, 2).Concat(pixels).ToArray();
        string gzippedWithoutSuffix = Write("images-idx3-ubyte", content, gzip: true);
        string plainWithSuffix = Write("images-idx3-ubyte.gz", content);

        Assert.Equal(pixels, IdxReader.ReadImages(gzippedWithoutSuffix).Pixels);
        Assert.Equal(pixels, IdxReader.ReadImages(plainWithSuffix).Pixels);
    }

    [Fact]
    public void EmptyDatasetIsValid()
    {
        string path = Write("empty", Header(IdxReader.LabelsMagic, 0));
        Assert.Empty(IdxReader.ReadLabels(path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedHeaderFails(bool gzip)
    {
        string inMagic = Write("short1", [0, 0, 8], gzip);
        AssertInvalid(inMagic, () => IdxReader.ReadImages(inMagic), "ends after 3 bytes");
        string inDims = Write("short2", Header(IdxReader.ImagesMagic, 10, 28)[..10], gzip);
        AssertInvalid(inDims, () => IdxReader.ReadImages(inDims), "truncated IDX header", "10 of 16");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedDataFails(bool gzip)
    {
        var content = Header(IdxReader.ImagesMagic, 10, 4, 3).Concat(Synthetic.Pixels(10, 4, 3)[..50]).ToArray();
        string path = Write("truncated", content, gzip);
        AssertInvalid(path, () => IdxReader.ReadImages(path), "truncated", "10 images of 4x3", "120");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrailingDataFails(bool gzip)
    {
        var content = Header(IdxReader.LabelsMagic, 3).Concat(new byte[] { 1, 2, 3, 4, 5 }).ToArray();
        string path = Write("trailing", content, gzip);
        AssertInvalid(path, () => IdxReader.ReadLabels(path), "trailing");
    }

    [Fact]
    public void BadMagicFails()
    {
        string labels = Write("labels", Header(IdxReader.LabelsMagic, 1).Append((byte)0).ToArray());
        AssertInvalid(labels, () => IdxReader.ReadImages(labels), "not an IDX image file", "0x00000801", "looks like a label file");
        string text = Write("text", "hello, world, not idx"u8.ToArray());
        AssertInvalid(text, () => IdxReader.ReadLabels(text), "not an IDX label file", "not an unsigned-byte IDX file");
    }

    [Fact]
    public void WrongDimensionCountFails()
    {
        string path = Write("dims", Header(0x00000802, 2, 2).Concat(new byte[4]).ToArray());
        AssertInvalid(path, () => IdxReader.ReadImages(path), "2 dimensions, expected 3");
    }

    [Theory]
    [InlineData(0u, 28u, "height 0")]
    [InlineData(28u, 5000u, "width 5000")]
    public void AbsurdImageSidesFail(uint rows, uint cols, string fragment)
    {
        string path = Write("sides", Header(IdxReader.ImagesMagic, 1, rows, cols));
        AssertInvalid(path, () => IdxReader.ReadImages(path), fragment, "1..1024");
    }

    [Fact]
    public void ImageAndLabelCountMismatchFailsNamingBothFiles()
    {
        string images = _temp.Combine("images"), labels = _temp.Combine("labels");
        IdxWriter.WriteImages(images, Synthetic.Pixels(5, 2, 2), 5, 2, 2);
        IdxWriter.WriteLabels(labels, Synthetic.Labels(4, 2));
        var e = AssertInvalid(images, () => IdxReader.ReadPair(images, labels), "5 images", labels, "4");
        Assert.Contains("holds", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HeaderClaimingBillionsOfImagesFailsFastWithoutAllocating(bool gzip)
    {
        // 2^31 images: more than an int; 2^31-1 images of 28x28: 1.7 TB, far above the limit.
        string huge = Write("huge", Header(IdxReader.ImagesMagic, 1u << 31, 28, 28).Concat(new byte[784]).ToArray(), gzip);
        string large = Write("large", Header(IdxReader.ImagesMagic, int.MaxValue, 28, 28).Concat(new byte[784]).ToArray(), gzip);

        long before = GC.GetAllocatedBytesForCurrentThread();
        AssertInvalid(huge, () => IdxReader.ReadImages(huge), "2,147,483,648 images");
        AssertInvalid(large, () => IdxReader.ReadImages(large), "above the limit");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20, "reading absurd headers allocated megabytes");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HeaderClaimingMoreThanTheDataDoesNotAllocateTheClaim(bool gzip)
    {
        // 1,000,000 images of 28x28 (784 MB) is within the limit, but only 10 images follow: the reader must find out
        // without allocating 784 MB. For gzip the length is unknown up front, so buffers may only grow with the data.
        var content = Header(IdxReader.ImagesMagic, 1_000_000, 28, 28).Concat(Synthetic.Pixels(10, 28, 28)).ToArray();
        string path = Write("claims-more", content, gzip);

        long before = GC.GetAllocatedBytesForCurrentThread();
        AssertInvalid(path, () => IdxReader.ReadImages(path), "truncated", "1,000,000 images");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 8 << 20, $"allocated {allocated:N0} bytes for 7,840 bytes of data");
    }

    [Fact]
    public void ConfigurableLimitIsEnforced()
    {
        string path = _temp.Combine("images");
        IdxWriter.WriteImages(path, Synthetic.Pixels(10, 4, 4), 10, 4, 4);
        AssertInvalid(path, () => IdxReader.ReadImages(path, limits: new IdxLimits { MaxDataBytes = 100 }), "above the limit of 100 bytes");
        AssertInvalid(path, () => IdxReader.ReadImages(path, limits: new IdxLimits { MaxSide = 3 }), "1..3");
    }

    [Fact]
    public void CorruptGzipFailsNamingTheFile()
    {
        var gz = Synthetic.Gzip(Header(IdxReader.ImagesMagic, 50, 28, 28).Concat(new Random(1).GetItems<byte>([1, 2, 3, 200], 50 * 784)).ToArray());
        for (int i = 20; i < gz.Length - 20; i += 7) gz[i] ^= 0x5a;
        string path = Write("corrupt.gz", gz);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void TruncatedGzipStreamFails()
    {
        var gz = Synthetic.Gzip(Header(IdxReader.ImagesMagic, 50, 28, 28).Concat(Synthetic.Pixels(50, 28, 28)).ToArray());
        string path = Write("cut.gz", gz[..(gz.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void OutOfRangeLabelFailsNamingFileIndexAndValue()
    {
        string path = Write("labels", Header(IdxReader.LabelsMagic, 4).Concat(new byte[] { 1, 2, 12, 3 }).ToArray());
        AssertInvalid(path, () => IdxReader.ReadLabels(path, classCount: 10), "label 12", "item 2", "10 classes");
    }

    [Fact]
    public void TransposeTurnsEachImage()
    {
        // Two 2x3 images stored row-major become 3x2 images.
        byte[] stored = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        string path = _temp.Combine("t");
        IdxWriter.WriteImages(path, stored, 2, 2, 3);
        var read = IdxReader.ReadImages(path, transpose: true);
        Assert.Equal((2, 3, 2), (read.Count, read.Rows, read.Columns));
        Assert.Equal(new byte[] { 1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12 }, read.Pixels);
    }

    [Fact]
    public void MissingFileFailsWithItsPath()
    {
        string path = _temp.Combine("absent");
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
    }
}
