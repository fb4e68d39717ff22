using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;

namespace Crnn.MLNet.Training.Data;

/// <summary>
/// A dataset stored as image files in one sub-folder per class (the layout of torchvision's <c>ImageFolder</c>):
/// <c>DIR/train/&lt;label&gt;/*.png</c> and <c>DIR/test/&lt;label&gt;/*.png</c>, or <c>DIR/&lt;label&gt;/*.png</c> for a
/// training split only. Each image, of any size and either polarity, is framed the way the recogniser frames what it
/// scores (<see cref="HandwritingNormalizer"/>: grayscale, ink light on dark, cropped, fitted into 20x20 and centred by
/// centre of mass in 28x28), so a model trained on it sees at training time what it will see when used.
/// </summary>
public static class ImageFolderDataset
{
    /// <summary>File extensions read as images (case-insensitive).</summary>
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    /// <summary>Images larger than this (pixels) are refused: a character crop is small.</summary>
    public const long MaxImagePixels = 16_000_000;

    /// <summary>Side of the images written into the dataset.</summary>
    public const int Size = 28;

    /// <summary>
    /// The split folders of an image-folder dataset at <paramref name="folder"/>: <c>train/</c> and <c>test/</c> when either
    /// exists, else the folder itself as the training split when it holds class folders with images; null otherwise.
    /// </summary>
    public static (string? Train, string? Test)? FindSplits(string folder)
    {
        string train = Path.Combine(folder, "train"), test = Path.Combine(folder, "test");
        if (HasClassFolders(train) || HasClassFolders(test))
            return (HasClassFolders(train) ? train : null, HasClassFolders(test) ? test : null);
        return HasClassFolders(folder) ? (folder, null) : null;
    }

    /// <summary>The class folders of a split folder and their labels, ordered by label (ordinal).</summary>
    public static IReadOnlyList<(string Label, string Folder)> ClassFolders(string splitFolder)
    {
        var classes = Directory.EnumerateDirectories(splitFolder)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Select(d => (Label: ClassFolderName.ToLabel(Path.GetFileName(d), d), Folder: d))
            .OrderBy(c => c.Label, StringComparer.Ordinal)
            .ToList();
        foreach (var twice in classes.GroupBy(c => c.Label).Where(g => g.Count() > 1))
            throw new InvalidDataException($"{splitFolder}: folders {string.Join(" and ", twice.Select(c => $"'{Path.GetFileName(c.Folder)}'"))} both stand for the label '{twice.Key}'.");
        return classes;
    }

    /// <summary>
    /// Reads a split: every image of every class folder, framed into 28x28 (light ink on dark, as MNIST). Images are
    /// decoded on all cores. <paramref name="labels"/> gives the class order (every class folder must be one of them).
    /// </summary>
    /// <exception cref="InvalidDataException">A class folder not in <paramref name="labels"/>, a class without images,
    /// an image that does not decode (the message names the file), or a split without images.</exception>
    public static CharacterDataset Read(string splitFolder, string name, IReadOnlyList<string> labels, IProgress<DataProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var classOf = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var files = new List<(string Path, int Class)>();
        foreach (var (label, folder) in ClassFolders(splitFolder))
        {
            if (!classOf.TryGetValue(label, out int c))
                throw new InvalidDataException($"{folder}: class '{label}' is not one of the dataset's {labels.Count} classes ({DescribeLabels(labels)}).");
            int before = files.Count;
            files.AddRange(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f)))
                .Order(StringComparer.Ordinal)
                .Select(f => (f, c)));
            if (files.Count == before) throw new InvalidDataException($"{folder}: class '{label}' has no images ({string.Join(", ", ImageExtensions)}).");
        }
        if (files.Count == 0) throw new InvalidDataException($"{splitFolder}: no class folders with images.");

        progress?.Report(new DataProgress(DataStage.Reading, splitFolder));
        var pixels = new byte[files.Count * Size * Size];
        try
        {
            DecodeAll(files, pixels, cancellationToken);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // One bad image is reported as itself (naming its file), not wrapped by the parallel loop.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return new CharacterDataset(name, pixels, files.Select(f => f.Class).ToArray(), Size, Size, labels);
    }

    private static void DecodeAll(List<(string Path, int Class)> files, byte[] pixels, CancellationToken cancellationToken) =>
        Parallel.ForEach(
            System.Collections.Concurrent.Partitioner.Create(0, files.Count, 256),
            new ParallelOptions { CancellationToken = cancellationToken },
            () => (Image: new GrayImage(), Normalizer: CreateFramer(), Framed: new float[Size * Size]),
            (range, _, scratch) =>
            {
                for (int i = range.Item1; i < range.Item2; i++)
                {
                    CrnnImageDecoder.DecodeFile(files[i].Path, MaxImagePixels, scratch.Image);
                    scratch.Normalizer.Normalize(scratch.Image.Pixels, scratch.Image.Width, scratch.Image.Height, scratch.Framed);
                    var target = pixels.AsSpan(i * Size * Size, Size * Size);
                    for (int p = 0; p < target.Length; p++) target[p] = (byte)Math.Clamp(MathF.Round(scratch.Framed[p] * 255f), 0, 255);
                }
                return scratch;
            },
            _ => { });

    private static bool HasClassFolders(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateDirectories(folder).Any(d => !Path.GetFileName(d).StartsWith('.')
            && Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories).Any(f => ImageExtensions.Contains(Path.GetExtension(f))));

    /// <summary>
    /// The framing images get here (MNIST's: fit into 20x20, centre of mass in 28x28), with identity normalisation so
    /// that the normaliser writes the framed pixel in 0..1. Not thread-safe, as any <see cref="HandwritingNormalizer"/>.
    /// </summary>
    public static HandwritingNormalizer CreateFramer(InkPolarity polarity = InkPolarity.Auto) => new(FramingMetadata(), polarity);

    private static CrnnModelMetadata FramingMetadata() => new()
    {
        Labels = ["framing"],
        Dataset = "image-folder",
        Input = new CrnnInputSpec(),
        Output = new CrnnOutputSpec(),
        Normalization = new CrnnNormalization { Mean = 0, Std = 1 },
        Preprocessing = new CrnnPreprocessing(),
    };

    private static string DescribeLabels(IReadOnlyList<string> labels) =>
        labels.Count <= 20 ? string.Join(" ", labels) : string.Join(" ", labels.Take(20)) + " …";
}
