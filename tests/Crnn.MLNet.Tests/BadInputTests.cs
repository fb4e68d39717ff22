using Crnn.MLNet.Imaging;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Tests.Support;
using Crnn.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using SkiaSharp;

namespace Crnn.MLNet.Tests;

public class BadInputTests
{
    /// <summary>Bad files of every kind next to one good one; returns (path, expected message part).</summary>
    private static List<(string Path, string Why)> MakeBadFiles(DigitSet set)
    {
        var good = File.ReadAllBytes(set.Paths[1]);
        string corrupt = set.Dir.File("corrupt.png"), empty = set.Dir.File("empty.png"), truncated = set.Dir.File("truncated.png"),
            huge = set.Dir.File("huge.png"), missing = set.Dir.File("missing.png");
        var junk = new byte[500];
        new Random(3).NextBytes(junk);
        File.WriteAllBytes(corrupt, junk);
        File.WriteAllBytes(empty, []);
        using (var bmp = TestImages.Text("5", 300, 300))
        {
            var png = TestImages.Encode(bmp);
            File.WriteAllBytes(truncated, png[..(png.Length / 2)]);
        }
        File.WriteAllBytes(huge, HugePngHeader(50_000, 50_000));
        return
        [
            (corrupt, "not a readable image"),
            (empty, "empty (0 bytes)"),
            (truncated, "truncated"),
            (huge, "50000x50000 = 2500000000 pixels, more than the limit"),
            (missing, "file not found"),
        ];
    }

    /// <summary>A PNG whose header claims a huge size (only the header and a tiny IDAT: never decodable in full).</summary>
    internal static byte[] HugePngHeader(int width, int height)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 0; // 8-bit grayscale
        Chunk(ms, "IHDR", ihdr);
        Chunk(ms, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        Chunk(ms, "IEND", []);
        return ms.ToArray();

        static void Chunk(Stream s, string type, byte[] data)
        {
            var len = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
            s.Write(len);
            var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
            s.Write(typeBytes);
            s.Write(data);
            var crc = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeBytes.Concat(data).ToArray()));
            s.Write(crc);
        }

        static uint Crc32(byte[] bytes)
        {
            uint c = 0xFFFFFFFF;
            foreach (byte b in bytes)
            {
                c ^= b;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }
            return ~c;
        }
    }

    [Fact]
    public void Each_bad_file_throws_naming_it()
    {
        using var set = new DigitSet(count: 2);
        var ml = new MLContext(1);
        foreach (var (path, why) in MakeBadFiles(set))
        {
            var data = ml.Data.LoadFromEnumerable(new[] { new PathRow { Image = set.Paths[0] }, new PathRow { Image = path } });
            var scored = ml.Transforms.ClassifyHandwriting(set.ModelPath).Fit(data).Transform(data);
            var e = Assert.ThrowsAny<Exception>(() => scored.GetColumn<string>("PredictedLabelText").ToArray());
            var inner = e is InvalidDataException ? e : e.InnerException ?? e;
            Assert.IsType<InvalidDataException>(inner);
            Assert.Contains(path, inner.Message);
            Assert.Contains(why, inner.Message);
        }
    }

    [Fact]
    public void Skip_mode_keeps_rows_with_the_reason()
    {
        using var set = new DigitSet(count: 3);
        var bad = MakeBadFiles(set);
        var ml = new MLContext(1);
        var rows = new[] { set.Paths[0] }.Concat(bad.Select(b => b.Path)).Append(set.Paths[2]).Select(p => new PathRow { Image = p }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.ClassifyHandwriting(File.OpenRead(set.ModelPath), new CrnnClassifierOptions(badImages: BadImageHandling.Skip, batchSize: 3)).Fit(data);
        var scored = model.Transform(data);
        var errors = scored.GetColumn<string>("CrnnError").ToArray();
        var keys = scored.GetColumn<uint>("PredictedLabel").ToArray();
        var texts = scored.GetColumn<string>("PredictedLabelText").ToArray();
        Assert.Equal("", errors[0]);
        Assert.Equal("", errors[^1]);
        Assert.NotEqual(0u, keys[0]);
        Assert.NotEqual(0u, keys[^1]);
        for (int i = 0; i < bad.Count; i++)
        {
            Assert.Contains(bad[i].Path, errors[i + 1]);
            Assert.Contains(bad[i].Why, errors[i + 1]);
            Assert.Equal(0u, keys[i + 1]);
            Assert.Equal("", texts[i + 1]);
        }
        // The documented way to drop them.
        var kept = ml.Data.FilterRowsByMissingValues(scored, "PredictedLabel");
        Assert.Equal(2, kept.GetColumn<string>("PredictedLabelText").Count());
    }

    [Fact]
    public void Decoder_refuses_huge_images_from_the_header_and_bad_streams()
    {
        var gray = new GrayImage();
        var e = Assert.Throws<InvalidDataException>(() => CrnnImageDecoder.Decode(HugePngHeader(100_000, 100_000), "big.png", 40_000_000, gray));
        Assert.StartsWith("big.png: the image is 100000x100000", e.Message);
        var e2 = Assert.Throws<InvalidDataException>(() => CrnnImageDecoder.Decode(HugePngHeader(100, 100), "small-but-broken.png", 40_000_000, gray));
        Assert.StartsWith("small-but-broken.png:", e2.Message);
    }

    [Fact]
    public void Recognizer_reports_bad_files_and_continues()
    {
        using var set = new DigitSet(count: 3);
        var bad = MakeBadFiles(set);
        using var recognizer = CrnnRecognizer.Open(set.ModelPath, new CrnnRecognizerOptions { BatchSize = 2 });
        var results = recognizer.TryPredict(bad.Select(b => b.Path).Prepend(set.Paths[0]).Append(set.Paths[2]).ToArray());
        Assert.True(results[0].Succeeded);
        Assert.True(results[^1].Succeeded);
        for (int i = 0; i < bad.Count; i++)
        {
            Assert.False(results[i + 1].Succeeded);
            Assert.Contains(bad[i].Why, results[i + 1].Error);
        }
        var e = Assert.Throws<InvalidDataException>(() => recognizer.Predict(bad[0].Path));
        Assert.Contains(bad[0].Path, e.Message);
    }

    [Fact]
    public void Empty_in_memory_image_column_value_is_named()
    {
        using var set = new DigitSet(count: 1);
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new ImageRow { Image = null } });
        var scored = ml.Transforms.ClassifyHandwriting(set.ModelPath).Fit(data).Transform(data);
        var e = Assert.ThrowsAny<Exception>(() => scored.GetColumn<string>("PredictedLabelText").ToArray());
        Assert.Contains("column 'Image', row 0: the image is missing", (e.InnerException ?? e).Message);
    }
}
