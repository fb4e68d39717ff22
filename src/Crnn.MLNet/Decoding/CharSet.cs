using System.Globalization;

namespace Crnn.MLNet.Decoding;

/// <summary>A set of UTF-16 characters as sorted, disjoint, non-adjacent ranges (for pattern character classes).</summary>
internal sealed class CharSet
{
    private CharSet(IReadOnlyList<(char Lo, char Hi)> ranges) => Ranges = ranges;

    public IReadOnlyList<(char Lo, char Hi)> Ranges { get; }

    /// <summary>The character when the set holds exactly one.</summary>
    public char? SingleChar => Ranges.Count == 1 && Ranges[0].Lo == Ranges[0].Hi ? Ranges[0].Lo : null;

    public static CharSet Of(char c) => new([(c, c)]);

    public static CharSet Range(char from, char to)
    {
        if (from > to) throw new ArgumentException($"pattern: the range '{from}-{to}' is in reverse order.", "pattern");
        return new([(from, to)]);
    }

    // .NET's meanings: \d = Unicode decimal digits, \w = [\p{L}\p{Mn}\p{Nd}\p{Pc}], \s = white space.
    private static readonly Lazy<CharSet> s_digits = new(() => Where(c => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.DecimalDigitNumber));
    private static readonly Lazy<CharSet> s_word = new(() => Where(c => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter
        or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
        or UnicodeCategory.NonSpacingMark or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation));
    private static readonly Lazy<CharSet> s_space = new(() => Where(char.IsWhiteSpace));

    public static CharSet Digits => s_digits.Value;
    public static CharSet Word => s_word.Value;
    public static CharSet Space => s_space.Value;

    private static CharSet Where(Func<char, bool> predicate)
    {
        var ranges = new List<(char, char)>();
        int start = -1;
        for (int c = 0; c <= char.MaxValue + 1; c++)
        {
            bool inSet = c <= char.MaxValue && predicate((char)c);
            if (inSet && start < 0) start = c;
            else if (!inSet && start >= 0)
            {
                ranges.Add(((char)start, (char)(c - 1)));
                start = -1;
            }
        }
        return new(ranges);
    }

    public static CharSet Union(IEnumerable<CharSet> sets)
    {
        var all = sets.SelectMany(s => s.Ranges).OrderBy(r => r.Lo).ToList();
        var merged = new List<(char Lo, char Hi)>();
        foreach (var r in all)
        {
            if (merged.Count > 0 && r.Lo <= merged[^1].Hi + 1)
            {
                var last = merged[^1];
                merged[^1] = (last.Lo, (char)Math.Max(last.Hi, r.Hi));
            }
            else merged.Add(r);
        }
        return new(merged);
    }

    /// <summary>Every character not in <paramref name="set"/>.</summary>
    public static CharSet Except(CharSet set)
    {
        var result = new List<(char, char)>();
        int next = 0;
        foreach (var (lo, hi) in set.Ranges)
        {
            if (lo > next) result.Add(((char)next, (char)(lo - 1)));
            next = hi + 1;
        }
        if (next <= char.MaxValue) result.Add(((char)next, char.MaxValue));
        return new(result);
    }
}
