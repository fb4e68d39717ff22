using SkiaSharp;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// A font family for plots whose labels may be in any script: the default sans-serif family when it has every label's
/// glyphs, else an installed family that does (found through fontconfig by the first missing character), else the
/// default with a warning naming the characters that will show as boxes.
/// </summary>
internal sealed record PlotFont(string Family, string? Warning)
{
    private const string DefaultFamily = "DejaVu Sans";

    public static PlotFont For(IEnumerable<string> labels)
    {
        string text = string.Concat(labels);
        using var fallback = SKTypeface.FromFamilyName(DefaultFamily) ?? SKTypeface.Default;
        if (Covers(fallback, text)) return new PlotFont(fallback.FamilyName, null);
        var missing = text.EnumerateRunes().Where(r => !Covers(fallback, r.ToString())).Distinct().ToArray();
        foreach (var rune in missing)
        {
            using var candidate = SKFontManager.Default.MatchCharacter(rune.Value);
            if (candidate is not null && Covers(candidate, text)) return new PlotFont(candidate.FamilyName, null);
        }
        // No single family covers everything: take the one covering the most labels' characters.
        var best = missing.Select(r => SKFontManager.Default.MatchCharacter(r.Value)).OfType<SKTypeface>()
            .MaxBy(t => text.EnumerateRunes().Count(r => Covers(t, r.ToString())));
        string family = best?.FamilyName ?? fallback.FamilyName;
        var uncovered = text.EnumerateRunes().Where(r => best is null || !Covers(best, r.ToString())).Distinct().Select(r => r.ToString());
        return new PlotFont(family, $"no installed font has glyphs for {string.Join(" ", uncovered)}; they show as boxes in the plot " +
            "(on Debian/Ubuntu: apt-get install fonts-noto-core).");
    }

    private static bool Covers(SKTypeface typeface, string text)
    {
        using var font = new SKFont(typeface);
        return font.ContainsGlyphs(new string(text.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c)).ToArray()));
    }
}
