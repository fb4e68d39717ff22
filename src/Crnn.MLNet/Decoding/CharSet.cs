using System.Globalization;
using System.Text;

namespace Crnn.MLNet.Decoding;

/// <summary>
/// A set of Unicode code points (scalar values: surrogates are never members) as sorted, disjoint, non-adjacent
/// ranges, for pattern character classes. Code points beyond the BMP are matched in text as their surrogate pairs.
/// </summary>
internal sealed class CharSet
{
    public const int MaxCodePoint = 0x10FFFF;
    private const int SurrogateFirst = 0xD800, SurrogateLast = 0xDFFF;

    private CharSet(IReadOnlyList<(int Lo, int Hi)> ranges) => Ranges = ranges;

    public IReadOnlyList<(int Lo, int Hi)> Ranges { get; }

    /// <summary>The code point when the set holds exactly one.</summary>
    public int? Single => Ranges.Count == 1 && Ranges[0].Lo == Ranges[0].Hi ? Ranges[0].Lo : null;

    public static CharSet Of(int codePoint) => Range(codePoint, codePoint);

    public static CharSet Range(int from, int to)
    {
        if (from > to)
            throw new ArgumentException($"pattern: the range '{char.ConvertFromUtf32(from)}-{char.ConvertFromUtf32(to)}' is in reverse order.", "pattern");
        return Union([new CharSet([(from, to)])]);
    }

    // .NET's meanings (\d = decimal digits, \w = [\p{L}\p{Mn}\p{Nd}\p{Pc}], \s = white space), over all code points
    // rather than only the BMP, so that digits and letters of any script count.
    private static readonly Lazy<CharSet> s_digits = new(() => Where(c => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.DecimalDigitNumber));
    private static readonly Lazy<CharSet> s_word = new(() => Where(c => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter
        or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
        or UnicodeCategory.NonSpacingMark or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation));
    private static readonly Lazy<CharSet> s_space = new(() => Where(c => Rune.IsWhiteSpace(new Rune(c))));

    public static CharSet Digits => s_digits.Value;
    public static CharSet Word => s_word.Value;
    public static CharSet Space => s_space.Value;

    private static CharSet Where(Func<int, bool> predicate)
    {
        var ranges = new List<(int, int)>();
        int start = -1;
        for (int c = 0; c <= MaxCodePoint + 1; c++)
        {
            bool inSet = c <= MaxCodePoint && !IsSurrogate(c) && predicate(c);
            if (inSet && start < 0) start = c;
            else if (!inSet && start >= 0)
            {
                ranges.Add((start, c - 1));
                start = -1;
            }
        }
        return new(ranges);
    }

    private static bool IsSurrogate(int c) => c is >= SurrogateFirst and <= SurrogateLast;

    public static CharSet Union(IEnumerable<CharSet> sets)
    {
        var all = sets.SelectMany(s => s.Ranges).SelectMany(WithoutSurrogates).OrderBy(r => r.Lo).ToList();
        var merged = new List<(int Lo, int Hi)>();
        foreach (var r in all)
        {
            if (merged.Count > 0 && r.Lo <= merged[^1].Hi + 1)
            {
                var last = merged[^1];
                merged[^1] = (last.Lo, Math.Max(last.Hi, r.Hi));
            }
            else merged.Add(r);
        }
        return new(merged);
    }

    private static IEnumerable<(int Lo, int Hi)> WithoutSurrogates((int Lo, int Hi) r)
    {
        if (r.Hi < SurrogateFirst || r.Lo > SurrogateLast) { yield return r; yield break; }
        if (r.Lo < SurrogateFirst) yield return (r.Lo, SurrogateFirst - 1);
        if (r.Hi > SurrogateLast) yield return (SurrogateLast + 1, r.Hi);
    }

    /// <summary>Every code point not in <paramref name="set"/>.</summary>
    public static CharSet Except(CharSet set)
    {
        var result = new List<(int, int)>();
        int next = 0;
        foreach (var (lo, hi) in set.Ranges)
        {
            if (lo > next) result.Add((next, lo - 1));
            next = hi + 1;
        }
        if (next <= MaxCodePoint) result.Add((next, MaxCodePoint));
        return Union([new CharSet(result)]);
    }

    /// <summary>
    /// The set as UTF-16 sequences: single units for the BMP ranges, and (high-surrogate range, low-surrogate range)
    /// pairs covering the code points beyond it.
    /// </summary>
    public (List<(char Lo, char Hi)> Units, List<((char Lo, char Hi) High, (char Lo, char Hi) Low)> Pairs) ToUtf16()
    {
        var units = new List<(char, char)>();
        var pairs = new List<((char, char), (char, char))>();
        foreach (var (lo, hi) in Ranges)
        {
            if (lo <= char.MaxValue) units.Add(((char)lo, (char)Math.Min(hi, char.MaxValue)));
            if (hi <= char.MaxValue) continue;
            int from = Math.Max(lo, 0x10000);
            char h1 = High(from), h2 = High(hi), l1 = Low(from), l2 = Low(hi);
            if (h1 == h2)
            {
                pairs.Add(((h1, h1), (l1, l2)));
                continue;
            }
            pairs.Add(((h1, h1), (l1, '\uDFFF')));
            if (h2 - h1 > 1) pairs.Add((((char)(h1 + 1), (char)(h2 - 1)), ('\uDC00', '\uDFFF')));
            pairs.Add(((h2, h2), ('\uDC00', l2)));
        }
        return (units, pairs);
    }

    private static char High(int c) => (char)(0xD800 + ((c - 0x10000) >> 10));
    private static char Low(int c) => (char)(0xDC00 + ((c - 0x10000) & 0x3FF));
}
