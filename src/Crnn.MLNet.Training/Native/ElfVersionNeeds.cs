using System.Buffers.Binary;
using System.Text;

namespace Crnn.MLNet.Training.Native;

/// <summary>
/// Reads and edits the symbol-version requirements (<c>.gnu.version_r</c>) of a 64-bit
/// little-endian ELF shared library. Used to mark one unneeded libstdc++ version as weak.
/// </summary>
internal static class ElfVersionNeeds
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    /// <summary>One version a library needs from one of its dependencies.</summary>
    internal sealed record Requirement(string File, string Version, ushort Flags, long FlagsOffset)
    {
        public bool IsWeak => (Flags & VerFlagWeak) != 0;
    }

    /// <summary>Lists every version requirement in <paramref name="elf"/> (the whole file's bytes).</summary>
    public static IReadOnlyList<Requirement> Read(ReadOnlySpan<byte> elf, string pathForErrors)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException($"{pathForErrors}: not an ELF file.");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"{pathForErrors}: only 64-bit little-endian ELF is supported.");

        long shoff = (long)U64(elf, 0x28, pathForErrors);
        int shentsize = U16(elf, 0x3A, pathForErrors);
        int shnum = U16(elf, 0x3C, pathForErrors);
        var result = new List<Requirement>();
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (U32(elf, sh + 4, pathForErrors) != ShtGnuVerneed) continue;
            long offset = (long)U64(elf, sh + 24, pathForErrors);
            uint link = U32(elf, sh + 40, pathForErrors);
            uint count = U32(elf, sh + 44, pathForErrors);
            long strtab = (long)U64(elf, shoff + link * (long)shentsize + 24, pathForErrors);

            long vn = offset;
            for (uint n = 0; n < count; n++)
            {
                int cnt = U16(elf, vn + 2, pathForErrors);
                string file = CString(elf, strtab + U32(elf, vn + 4, pathForErrors), pathForErrors);
                long aux = vn + U32(elf, vn + 8, pathForErrors);
                for (int a = 0; a < cnt; a++)
                {
                    ushort flags = U16(elf, aux + 4, pathForErrors);
                    string name = CString(elf, strtab + U32(elf, aux + 8, pathForErrors), pathForErrors);
                    result.Add(new Requirement(file, name, flags, aux + 4));
                    aux += U32(elf, aux + 12, pathForErrors);
                }
                uint next = U32(elf, vn + 12, pathForErrors);
                if (next == 0) break;
                vn += next;
            }
        }
        return result;
    }

    /// <summary>Sets the weak flag on a requirement in place; the loader then only warns when it is missing.</summary>
    public static void MarkWeak(Span<byte> elf, Requirement requirement) =>
        BinaryPrimitives.WriteUInt16LittleEndian(elf[(int)requirement.FlagsOffset..], (ushort)(requirement.Flags | VerFlagWeak));

    private static ushort U16(ReadOnlySpan<byte> b, long at, string path) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(b, at, 2, path));
    private static uint U32(ReadOnlySpan<byte> b, long at, string path) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(b, at, 4, path));
    private static ulong U64(ReadOnlySpan<byte> b, long at, string path) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(b, at, 8, path));

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> b, long at, int length, string path)
    {
        if (at < 0 || at + length > b.Length)
            throw new InvalidDataException($"{path}: ELF structure points outside the file (offset {at}).");
        return b.Slice((int)at, length);
    }

    private static string CString(ReadOnlySpan<byte> b, long at, string path)
    {
        var rest = Slice(b, at, 1, path).Length == 1 ? b[(int)at..] : default;
        int end = rest.IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException($"{path}: unterminated string in ELF string table.");
        return Encoding.ASCII.GetString(rest[..end]);
    }
}
