using SkiaSharp;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// A font family for plots whose labels may be in any script: the default sans-serif family when it has every label's
/// glyphs, else the first installed family that does (Noto sans-serif families first), else the family covering the
/// most, with a warning naming the characters that will show as boxes.
/// </summary>
internal sealed record PlotFont(string Family, string? Warning)
{
    private const string DefaultFamily = "DejaVu Sans";

    public static PlotFont For(IEnumerable<string> labels)
    {
        string text = string.Concat(labels);
        using var fallback = SKTypeface.FromFamilyName(DefaultFamily) ?? SKTypeface.Default;
        if (Covers(fallback, text)) return new PlotFont(fallback.FamilyName, null);
        // SkiaSharp's Linux build without fontconfig cannot match a character to a font (MatchCharacter gives null), so
        // look through the installed families ourselves: sans-serif Noto first, then any, the first that covers all.
        var families = SKFontManager.Default.FontFamilies
            .OrderBy(f => f.StartsWith("Noto Sans", StringComparison.Ordinal) ? 0 : f.StartsWith("Noto", StringComparison.Ordinal) ? 1 : 2)
            .ThenBy(f => f.Length)
            .ThenBy(f => f, StringComparer.Ordinal)
            .ToList();
        string? best = null;
        int bestCovered = text.EnumerateRunes().Count(r => Covers(fallback, r.ToString()));
        foreach (string family in families)
        {
            using var candidate = SKTypeface.FromFamilyName(family);
            if (candidate is null || candidate.FamilyName != family) continue;
            if (Covers(candidate, text)) return new PlotFont(family, null);
            int covered = text.EnumerateRunes().Count(r => Covers(candidate, r.ToString()));
            if (covered > bestCovered) (best, bestCovered) = (family, covered);
        }
        using var chosen = best is null ? null : SKTypeface.FromFamilyName(best);
        var uncovered = text.EnumerateRunes().Where(r => !Covers(chosen ?? fallback, r.ToString())).Distinct().Select(r => r.ToString());
        return new PlotFont(best ?? fallback.FamilyName, $"no installed font has glyphs for {string.Join(" ", uncovered)}; they show as boxes in the plot " +
            "(on Debian/Ubuntu: apt-get install fonts-noto-core).");
    }

    private static bool Covers(SKTypeface typeface, string text)
    {
        using var font = new SKFont(typeface);
        return font.ContainsGlyphs(new string(text.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c)).ToArray()));
    }
}
