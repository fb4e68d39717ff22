using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Crnn.MLNet.Training.Data;

/// <summary>
/// The download cache: one folder per dataset folder name under the cache root, plus a <c>SHA256SUMS</c> file per
/// folder recording files extracted from a verified archive. Nothing is ever written outside the cache root.
/// </summary>
internal static partial class DatasetCache
{
    /// <summary>Name of the per-folder list of trusted files (<c>sha256  name</c> per line, as sha256sum writes).</summary>
    public const string ManifestName = "SHA256SUMS";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex SafeName();

    /// <summary>The default cache root: <c>$XDG_CACHE_HOME/crnn-mlnet/datasets</c>, else <c>~/.cache/crnn-mlnet/datasets</c>.</summary>
    public static string DefaultRoot()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string cacheHome = !string.IsNullOrWhiteSpace(xdg) && Path.IsPathFullyQualified(xdg) ? xdg
            : OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cacheHome, "crnn-mlnet", "datasets");
    }

    /// <summary>Whether a file or folder name is a plain name that cannot climb out of its folder.</summary>
    public static bool IsSafeName(string name) => SafeName().IsMatch(name) && name != "." && name != "..";

    /// <summary>The cache folder of a dataset folder name, checked to lie inside the cache root.</summary>
    public static string Folder(string cacheRoot, string folderName)
    {
        if (!IsSafeName(folderName)) throw new ArgumentException($"dataset folder name '{folderName}' is not a plain name.", nameof(folderName));
        return Inside(Path.GetFullPath(cacheRoot), folderName);
    }

    /// <summary>The path of <paramref name="fileName"/> in <paramref name="folder"/>, refusing anything but a plain name.</summary>
    public static string Inside(string folder, string fileName)
    {
        if (!IsSafeName(fileName)) throw new InvalidDataException($"refusing to write '{fileName}': not a plain file name.");
        string root = Path.GetFullPath(folder);
        string full = Path.GetFullPath(Path.Combine(root, fileName));
        if (!string.Equals(Path.GetDirectoryName(full), root.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
            throw new InvalidDataException($"refusing to write '{fileName}' outside '{root}'.");
        return full;
    }

    /// <summary>A fresh temporary file next to where <paramref name="fileName"/> will go (hidden, <c>.part</c>, unique per call).</summary>
    public static string TempFile(string folder, string fileName)
    {
        string final = Inside(folder, fileName);
        return Path.Combine(Path.GetDirectoryName(final)!, $".{fileName}.{Guid.NewGuid():N}.part");
    }

    /// <summary>The trusted SHA-256 of each file recorded in a cache folder.</summary>
    public static Dictionary<string, string> ReadManifest(string folder)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string path = Path.Combine(folder, ManifestName);
        if (!File.Exists(path)) return result;
        foreach (string line in File.ReadLines(path))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0].Length == 64 && IsSafeName(parts[1])) result[parts[1]] = parts[0];
        }
        return result;
    }

    /// <summary>Adds entries to a folder's manifest, replacing it atomically.</summary>
    public static void AddToManifest(string folder, IReadOnlyDictionary<string, string> sha256ByName)
    {
        var manifest = ReadManifest(folder);
        foreach (var (name, hash) in sha256ByName) manifest[name] = hash;
        var text = new StringBuilder();
        foreach (var (name, hash) in manifest.OrderBy(p => p.Key, StringComparer.Ordinal)) text.Append(hash).Append("  ").Append(name).Append('\n');
        string temp = TempFile(folder, ManifestName);
        try
        {
            File.WriteAllText(temp, text.ToString());
            File.Move(temp, Path.Combine(folder, ManifestName), overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Whether a cached file may be used: it must match its catalog checksum or, failing one, its manifest entry.
    /// A file with neither is not trusted.
    /// </summary>
    public static bool IsTrusted(string path, DatasetDescriptor descriptor, Dictionary<string, string> manifest, out string problem,
        CancellationToken cancellationToken)
    {
        string name = Path.GetFileName(path);
        FileChecksum? checksum = descriptor.Checksums.TryGetValue(name, out var known) ? known
            : manifest.TryGetValue(name, out var recorded) ? FileChecksum.Sha256(recorded)
            : null;
        if (checksum is null)
        {
            problem = $"{path} has no known checksum, so it is not trusted";
            return false;
        }
        if (checksum.Matches(path, out string actual, cancellationToken))
        {
            problem = "";
            return true;
        }
        problem = $"{path} has {checksum.AlgorithmName} {actual}, expected {checksum.Hex}";
        return false;
    }

    /// <summary>SHA-256 of a file's bytes, lower-case hex.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
