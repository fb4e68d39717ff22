using Crnn.MLNet.Training.Data;
using SkiaSharp;

namespace Crnn.MLNet.Training.Tests.Data;

public sealed class ImageFolderDatasetTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A character-like picture: a dark bar on light paper (or light on dark), <paramref name="size"/> pixels square.</summary>
    private static void WriteImage(string path, int size, bool darkOnLight = true, int barColumn = -1)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(size, size);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(darkOnLight ? SKColors.White : SKColors.Black);
            using var pen = new SKPaint { Color = darkOnLight ? SKColors.Black : SKColors.White, StrokeWidth = size / 8f, IsAntialias = true };
            float x = barColumn >= 0 ? barColumn : size / 3f;
            canvas.DrawLine(x, size * 0.2f, x + size / 4f, size * 0.8f, pen);
        }
        using var data = bitmap.Encode(Path.GetExtension(path) == ".jpg" ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png, 95);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void Train_and_test_class_folders_in_any_script_are_read_framed_like_mnist()
    {
        // Kannada digits by name, a Tifinagh letter by code point, a Devanagari conjunct (combining virama) by name.
        string[] folders = ["೦", "೧", "U+2D30", "क्"];
        foreach (string split in new[] { "train", "test" })
            foreach (string folder in folders)
                for (int i = 0; i < 3; i++)
                    WriteImage(_dir.Combine(split, folder, $"{i}.png"), 40 + 20 * i, darkOnLight: i != 1);

        var request = new DatasetRequest(_dir.Path, AllowDownload: false);
        var location = DatasetLoader.Locate(request);
        Assert.Equal(DatasetFormat.ImageFolder, location.Format);
        Assert.Equal([DatasetSplit.Train, DatasetSplit.Test], location.Splits);

        var train = DatasetLoader.Load(request, DatasetSplit.Train);
        var test = DatasetLoader.Load(request, DatasetSplit.Test);
        string[] expected = ["क्", "೦", "೧", "ⴰ"];   // ordinal (code point) order of the labels
        Assert.Equal(expected, train.LabelNames);
        Assert.Equal(expected, test.LabelNames);
        Assert.Equal("\u0915\u094D", train.LabelNames[0]);
        Assert.Equal(12, train.Count);
        Assert.Equal((28, 28), (train.Height, train.Width));
        Assert.Equal([3, 3, 3, 3], train.ClassCounts());
        for (int i = 0; i < train.Count; i++)
        {
            // Either polarity in, light ink on a dark border out, the ink inside MNIST's 20x20 box.
            var image = train.Image(i);
            int border = 0, ink = 0;
            for (int r = 0; r < 28; r++)
                for (int c = 0; c < 28; c++)
                {
                    if (r < 3 || r > 24 || c < 3 || c > 24) border = Math.Max(border, image[r * 28 + c]);
                    ink = Math.Max(ink, image[r * 28 + c]);
                }
            Assert.True(border < 40, $"image {i}: border pixel {border}");
            Assert.True(ink > 200, $"image {i}: strongest ink {ink}");
        }
    }

    [Fact]
    public void Class_folders_directly_under_the_dataset_folder_are_a_training_split()
    {
        foreach (string label in new[] { "a", "b" })
            WriteImage(_dir.Combine(label, "nested", "x.jpg"), 32);
        var request = new DatasetRequest(_dir.Path, AllowDownload: false);
        var location = DatasetLoader.Locate(request);
        Assert.Equal([DatasetSplit.Train], location.Splits);
        Assert.Equal(2, DatasetLoader.Load(request, DatasetSplit.Train).Count);
        Assert.Null(DatasetLoader.TryLoad(request, DatasetSplit.Test));
    }

    [Fact]
    public void A_mapping_file_fixes_the_class_order_and_refuses_unknown_folders()
    {
        WriteImage(_dir.Combine("train", "ⴱ", "1.png"), 30);
        WriteImage(_dir.Combine("train", "ⴰ", "1.png"), 30);
        File.WriteAllText(_dir.Combine("mapping.txt"), "0 11569\n1 ⴰ\n");
        var request = new DatasetRequest(_dir.Path, AllowDownload: false);
        Assert.Equal(["ⴱ", "ⴰ"], DatasetLoader.Load(request, DatasetSplit.Train).LabelNames);

        WriteImage(_dir.Combine("train", "ⴳ", "1.png"), 30);
        var e = Assert.Throws<InvalidDataException>(() => DatasetLoader.Load(request, DatasetSplit.Train));
        Assert.Contains("class 'ⴳ' is not one of the dataset's 2 classes", e.Message);
    }

    [Fact]
    public void A_corrupt_image_is_an_error_naming_the_file()
    {
        WriteImage(_dir.Combine("train", "a", "good.png"), 30);
        string bad = _dir.Combine("train", "b", "bad.png");
        Directory.CreateDirectory(Path.GetDirectoryName(bad)!);
        File.WriteAllBytes(bad, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var e = Assert.ThrowsAny<InvalidDataException>(() => DatasetLoader.Load(new DatasetRequest(_dir.Path, AllowDownload: false), DatasetSplit.Train));
        Assert.Contains("bad.png", e.Message);
    }

    [Fact]
    public void Two_folders_for_one_label_and_a_folder_without_images_are_errors()
    {
        WriteImage(_dir.Combine("train", "ⴰ", "1.png"), 30);
        WriteImage(_dir.Combine("train", "U+2D30", "1.png"), 30);
        var e = Assert.Throws<InvalidDataException>(() => ImageFolderDataset.ClassFolders(_dir.Combine("train")));
        Assert.Contains("both stand for the label 'ⴰ'", e.Message);

        using var other = new TempFolder();
        Directory.CreateDirectory(other.Combine("empty-class"));
        var missing = Assert.Throws<FileNotFoundException>(() => DatasetLoader.Locate(new DatasetRequest(other.Path, AllowDownload: false)));
        Assert.Contains("one sub-folder per class", missing.Message);
    }

    [Theory]
    [InlineData("A", "A")]
    [InlineData("ⴳⵯ", "ⴳⵯ")]
    [InlineData("a/b", "U+0061_U+002F_U+0062")]
    [InlineData("U+0041", "U+0055_U+002B_U+0030_U+0030_U+0034_U+0031")]
    [InlineData("🙂", "🙂")]
    [InlineData("a b", "U+0061_U+0020_U+0062")]
    public void Folder_names_round_trip_to_labels(string label, string folder)
    {
        Assert.Equal(folder, ClassFolderName.ForLabel(label));
        Assert.Equal(label, ClassFolderName.ToLabel(folder, "test"));
    }

    [Theory]
    [InlineData("U+")]
    [InlineData("U+D800")]
    [InlineData("U+110000")]
    [InlineData("U+2D30_x")]
    public void Bad_code_point_folder_names_are_errors(string folder) =>
        Assert.Throws<InvalidDataException>(() => ClassFolderName.ToLabel(folder, "some/path"));
}
