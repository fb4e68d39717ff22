namespace Crnn.MLNet.Tests.Reliability.Fuzzing;

/// <summary>
/// Byte-level mutations of a seed file, in the manner of AFL's havoc stage: bit flips, interesting values (0, 0xFF,
/// powers of two, int32 boundaries, big- and little-endian), random bytes, inserted, deleted and duplicated runs,
/// truncation, and splices with another seed. Deterministic for a given <see cref="Random"/>.
/// </summary>
internal static class Mutator
{
    private static readonly byte[] InterestingBytes = [0, 1, 0x7F, 0x80, 0xFF, 0x10, 0x20, 0x40];
    private static readonly uint[] InterestingInts = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFF, 0x10000, 1024, 1025, 28, 65536 * 28];

    public static byte[] Mutate(byte[] seed, IReadOnlyList<byte[]> corpus, Random rng)
    {
        var data = new List<byte>(seed);
        int rounds = 1 << rng.Next(4); // 1, 2, 4 or 8 stacked mutations
        for (int r = 0; r < rounds; r++)
        {
            if (data.Count == 0) { data.Add((byte)rng.Next(256)); continue; }
            int pos = rng.Next(data.Count);
            switch (rng.Next(10))
            {
                case 0: data[pos] ^= (byte)(1 << rng.Next(8)); break;
                case 1: data[pos] = InterestingBytes[rng.Next(InterestingBytes.Length)]; break;
                case 2: data[pos] = (byte)rng.Next(256); break;
                case 3:
                    {
                        uint v = InterestingInts[rng.Next(InterestingInts.Length)];
                        bool big = rng.Next(2) == 0;
                        for (int k = 0; k < 4 && pos + k < data.Count; k++)
                            data[pos + k] = (byte)(big ? v >> (24 - 8 * k) : v >> (8 * k));
                        break;
                    }
                case 4:
                    {
                        int n = 1 + rng.Next(Math.Min(64, data.Count - pos));
                        data.RemoveRange(pos, n);
                        break;
                    }
                case 5:
                    {
                        var bytes = new byte[1 + rng.Next(32)];
                        rng.NextBytes(bytes);
                        data.InsertRange(pos, bytes);
                        break;
                    }
                case 6:
                    {
                        int n = 1 + rng.Next(Math.Min(256, data.Count - pos));
                        data.InsertRange(rng.Next(data.Count), data.GetRange(pos, n));
                        break;
                    }
                case 7: data.RemoveRange(pos, data.Count - pos); break;
                case 8:
                    {
                        var other = corpus[rng.Next(corpus.Count)];
                        if (other.Length == 0) break;
                        int from = rng.Next(other.Length);
                        int n = 1 + rng.Next(Math.Min(512, other.Length - from));
                        for (int k = 0; k < n && pos + k < data.Count; k++) data[pos + k] = other[from + k];
                        break;
                    }
                default:
                    {
                        // Arithmetic on a byte, as length and count fields are often off by a little.
                        data[pos] = (byte)(data[pos] + rng.Next(-35, 36));
                        break;
                    }
            }
        }
        return data.ToArray();
    }
}
