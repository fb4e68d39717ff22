using System.Security.Cryptography;

namespace Crnn.MLNet.Training.Data;

/// <summary>Hash algorithms a <see cref="FileChecksum"/> can use.</summary>
public enum ChecksumAlgorithm
{
    /// <summary>SHA-256, preferred.</summary>
    Sha256,

    /// <summary>
    /// MD5: only where the publisher gives nothing better (Fashion-MNIST and the EMNIST archive publish MD5).
    /// It guards against corruption, not against a malicious mirror.
    /// </summary>
    Md5,
}

/// <summary>An expected hash of a dataset file.</summary>
/// <param name="Algorithm">The hash algorithm.</param>
/// <param name="Hex">The expected digest, hexadecimal (case does not matter).</param>
/// <param name="OfContent">
/// True when the hash is of the decompressed content (so it holds for the file gzipped or not), false when it is of
/// the file's bytes as stored.
/// </param>
public sealed record FileChecksum(ChecksumAlgorithm Algorithm, string Hex, bool OfContent = false)
{
    /// <summary>A SHA-256 of the file's bytes.</summary>
    public static FileChecksum Sha256(string hex) => new(ChecksumAlgorithm.Sha256, hex);

    /// <summary>A SHA-256 of the file's decompressed content.</summary>
    public static FileChecksum ContentSha256(string hex) => new(ChecksumAlgorithm.Sha256, hex, OfContent: true);

    /// <summary>An MD5 of the file's bytes.</summary>
    public static FileChecksum Md5(string hex) => new(ChecksumAlgorithm.Md5, hex);

    /// <summary>Readable name of the algorithm, e.g. <c>SHA-256</c>.</summary>
    public string AlgorithmName => Algorithm == ChecksumAlgorithm.Sha256 ? "SHA-256" : "MD5";

    /// <summary>Computes this checksum's kind of hash of <paramref name="path"/>, as lower-case hex.</summary>
    public string Compute(string path, CancellationToken cancellationToken = default)
    {
        using var hash = IncrementalHash.CreateHash(Algorithm == ChecksumAlgorithm.Sha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.MD5);
        using Stream stream = OfContent ? IdxReader.OpenContent(path, out _) : File.OpenRead(path);
        var buffer = new byte[1 << 20];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            hash.AppendData(buffer, 0, n);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Whether <paramref name="path"/> has this checksum; <paramref name="actual"/> is what it has.</summary>
    public bool Matches(string path, out string actual, CancellationToken cancellationToken = default)
    {
        try
        {
            actual = Compute(path, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            // A corrupt gzip stream cannot match a content hash.
            actual = $"unreadable ({e.Message})";
            return false;
        }
        return string.Equals(actual, Hex, StringComparison.OrdinalIgnoreCase);
    }
}
