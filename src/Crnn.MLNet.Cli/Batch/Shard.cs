using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Crnn.MLNet.Cli.Batch;

/// <summary>
/// Share <see cref="Index"/> of <see cref="Count"/> (0-based, as Kubernetes' JOB_COMPLETION_INDEX): the inputs whose
/// key hashes to it. The hash is xxHash64 (seed 0) of the key's UTF-8 bytes, modulo the count: the same in every
/// process and on every machine (unlike <c>string.GetHashCode</c>), and in Python as
/// <c>xxhash.xxh64_intdigest(key.encode()) % count</c>.
/// </summary>
internal readonly record struct Shard(int Index, int Count)
{
    public static Shard All => new(0, 1);

    public bool IsAll => Count == 1;

    /// <summary>Reads <c>i/N</c>; anything else is a usage error naming <c>--shard</c>.</summary>
    public static Shard Parse(string text)
    {
        int slash = text.IndexOf('/');
        if (slash > 0
            && int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && count >= 1 && index < count)
            return new Shard(index, count);
        throw new CliUsageException($"--shard must be i/N with 0 <= i < N (e.g. 0/4 for the first of 4 shares), got '{text}'.");
    }

    public bool Contains(string key) => IsAll || (int)(Hash(key) % (ulong)Count) == Index;

    /// <summary>xxHash64 (seed 0) of the key's UTF-8 bytes.</summary>
    public static ulong Hash(string key)
    {
        int max = Encoding.UTF8.GetMaxByteCount(key.Length);
        byte[]? rented = max > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> bytes = rented ?? stackalloc byte[max];
        try
        {
            int n = Encoding.UTF8.GetBytes(key, bytes);
            return XxHash64.HashToUInt64(bytes[..n]);
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override string ToString() => $"{Index.ToString(CultureInfo.InvariantCulture)}/{Count.ToString(CultureInfo.InvariantCulture)}";
}
