namespace Crnn.MLNet.Training.Data;

/// <summary>
/// The datasets known by name: <c>mnist</c>, <c>fashion-mnist</c> and the official EMNIST splits
/// (<c>emnist-balanced</c>, <c>emnist-byclass</c>, <c>emnist-bymerge</c>, <c>emnist-digits</c>, <c>emnist-letters</c>).
/// </summary>
/// <remarks>
/// <para>Checksums, and where they come from:</para>
/// <list type="bullet">
/// <item>MNIST: SHA-256 of the decompressed content of each file, checked against the real files while writing this,
/// so they hold however the files are compressed.</item>
/// <item>Fashion-MNIST: the MD5 of each <c>.gz</c> file as published by its authors (zalandoresearch/fashion-mnist,
/// also used by torchvision). No SHA-256 is published; these could not be re-checked here (no access to the host).</item>
/// <item>EMNIST: the MD5 of NIST's <c>gzip.zip</c> as used by torchvision; not re-checked here either. The files
/// extracted from a verified archive are recorded with their SHA-256 in a <c>SHA256SUMS</c> file in the cache folder,
/// and checked against it before each later use.</item>
/// </list>
/// <para>A dataset whose download has no checksum is still downloaded, with a <see cref="DataStage.Warning"/> progress
/// report; every entry here has one. To add one, fill in <see cref="DatasetDescriptor.Checksums"/> or
/// <see cref="DatasetDownload.ArchiveChecksum"/>.</para>
/// </remarks>
public static class DatasetCatalog
{
    private static readonly DatasetFileNames MnistTrain = new("train-images-idx3-ubyte", "train-labels-idx1-ubyte");
    private static readonly DatasetFileNames MnistTest = new("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    private static readonly string[] Digits = Enumerable.Range(0, 10).Select(i => ((char)('0' + i)).ToString()).ToArray();
    private static readonly string[] Upper = Enumerable.Range(0, 26).Select(i => ((char)('A' + i)).ToString()).ToArray();
    private static readonly string[] Lower = Enumerable.Range(0, 26).Select(i => ((char)('a' + i)).ToString()).ToArray();

    // Balanced and ByMerge merge the lower-case letters that look like their capitals; these 11 remain.
    private static readonly string[] Merged47 = [.. Digits, .. Upper, "a", "b", "d", "e", "f", "g", "h", "n", "q", "r", "t"];

    private static readonly string[] EmnistSplits = ["balanced", "byclass", "bymerge", "digits", "letters"];

    /// <summary>Every named dataset.</summary>
    public static IReadOnlyList<DatasetDescriptor> All { get; } = Build();

    /// <summary>The names of all datasets, e.g. for help texts.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(d => d.Name).ToArray();

    /// <summary>Finds a dataset by name (case-insensitive).</summary>
    public static bool TryGet(string name, out DatasetDescriptor descriptor)
    {
        descriptor = All.FirstOrDefault(d => string.Equals(d.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase))!;
        return descriptor is not null;
    }

    /// <summary>Finds a dataset by name; an unknown name fails with an <see cref="ArgumentException"/> listing the known ones.</summary>
    public static DatasetDescriptor Get(string name) =>
        TryGet(name, out var d) ? d : throw new ArgumentException(UnknownNameMessage(name));

    internal static string UnknownNameMessage(string name) =>
        $"unknown dataset '{name}'. Known datasets: {string.Join(", ", Names)}; a path to a folder of IDX files " +
        "(train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], test-..., optional mapping.txt) is also accepted.";

    private static DatasetDescriptor[] Build()
    {
        var mnist = new DatasetDescriptor
        {
            Name = "mnist",
            Title = "MNIST handwritten digits (60,000 train, 10,000 test, 28x28)",
            FolderName = "mnist",
            Train = MnistTrain,
            Test = MnistTest,
            Labels = LabelMapping.Identity(Digits),
            Checksums = new Dictionary<string, FileChecksum>
            {
                ["train-images-idx3-ubyte.gz"] = FileChecksum.ContentSha256("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
                ["train-labels-idx1-ubyte.gz"] = FileChecksum.ContentSha256("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
                ["t10k-images-idx3-ubyte.gz"] = FileChecksum.ContentSha256("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
                ["t10k-labels-idx1-ubyte.gz"] = FileChecksum.ContentSha256("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
            },
            // The original host (yann.lecun.com) is unreliable; this mirror is the one torchvision uses.
            Download = new DatasetDownload(new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/"), GzNames(MnistTrain, MnistTest)),
        };

        var fashion = new DatasetDescriptor
        {
            Name = "fashion-mnist",
            Title = "Fashion-MNIST clothing images (60,000 train, 10,000 test, 28x28)",
            FolderName = "fashion-mnist",
            Train = MnistTrain,
            Test = MnistTest,
            Labels = LabelMapping.Identity(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]),
            Checksums = new Dictionary<string, FileChecksum>
            {
                ["train-images-idx3-ubyte.gz"] = FileChecksum.Md5("8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                ["train-labels-idx1-ubyte.gz"] = FileChecksum.Md5("25c81989df183df01b3e8a0aad5dffbe"),
                ["t10k-images-idx3-ubyte.gz"] = FileChecksum.Md5("bef4ecab320f06d8554ea6380940ec79"),
                ["t10k-labels-idx1-ubyte.gz"] = FileChecksum.Md5("bb300cfdad3c16e7a12a480ee83cd310"),
            },
            // The official host; it serves plain HTTP only, so the checksum is what protects the files.
            Download = new DatasetDownload(new Uri("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"), GzNames(MnistTrain, MnistTest)),
        };

        // One NIST archive holds every EMNIST split; extracting all our splits at once serves them all from one download.
        var emnistFiles = EmnistSplits
            .SelectMany(s => GzNames(EmnistFiles(s, "train"), EmnistFiles(s, "test")).Append($"emnist-{s}-mapping.txt"))
            .ToArray();
        var emnistDownload = new DatasetDownload(new Uri("https://biometrics.nist.gov/cs_links/EMNIST/"), emnistFiles,
            Archive: "gzip.zip", ArchiveChecksum: FileChecksum.Md5("58c8d27c78d21e728a6bc7b3cc06412e"));

        DatasetDescriptor Emnist(string split, string title, LabelMapping labels) => new()
        {
            Name = $"emnist-{split}",
            Title = title,
            FolderName = "emnist",
            FolderAliases = ["emnist/gzip", "gzip"],
            Train = EmnistFiles(split, "train"),
            Test = EmnistFiles(split, "test"),
            MappingFileName = $"emnist-{split}-mapping.txt",
            Labels = labels,
            StoredTransposed = true,
            Download = emnistDownload,
        };

        return
        [
            mnist,
            fashion,
            Emnist("balanced", "EMNIST Balanced: digits and letters, 47 classes (112,800 train, 18,800 test)", LabelMapping.Identity(Merged47)),
            Emnist("byclass", "EMNIST ByClass: digits, upper and lower case, 62 classes (697,932 train, 116,323 test)",
                LabelMapping.Identity([.. Digits, .. Upper, .. Lower])),
            Emnist("bymerge", "EMNIST ByMerge: digits and letters, 47 classes (697,932 train, 116,323 test)", LabelMapping.Identity(Merged47)),
            Emnist("digits", "EMNIST Digits: 10 classes (240,000 train, 40,000 test)", LabelMapping.Identity(Digits)),
            // Letters stores 1..26 and merges the cases; classes are named by the capital.
            Emnist("letters", "EMNIST Letters: 26 classes, cases merged (124,800 train, 20,800 test)",
                new LabelMapping(Enumerable.Range(1, 26).ToArray(), Upper)),
        ];
    }

    private static DatasetFileNames EmnistFiles(string split, string part) =>
        new($"emnist-{split}-{part}-images-idx3-ubyte", $"emnist-{split}-{part}-labels-idx1-ubyte");

    private static string[] GzNames(DatasetFileNames train, DatasetFileNames test) =>
        [$"{train.Images}.gz", $"{train.Labels}.gz", $"{test.Images}.gz", $"{test.Labels}.gz"];
}
