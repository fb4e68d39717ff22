using Crnn.MLNet.Cli.Commands;
using SkiaSharp;

namespace Crnn.MLNet.Cli.Tests;

public class PlotFontTests
{
    [Fact]
    public void Latin_labels_keep_the_default_font()
    {
        var font = PlotFont.For(Enumerable.Range(0, 10).Select(d => d.ToString()));
        Assert.Null(font.Warning);
        Assert.False(string.IsNullOrEmpty(font.Family));
    }

    [Theory]
    [InlineData("೦೧೨೩೪೫೬೭೮೯")]       // Kannada digits
    [InlineData("ⴰⴱⴳⵯⵛⵉ")]            // Tifinagh letters, one with U+2D6F
    public void Labels_in_another_script_get_a_font_that_has_their_glyphs(string letters)
    {
        var labels = letters.EnumerateRunes().Select(r => r.ToString()).ToArray();
        bool anyFontHasThem = SKFontManager.Default.FontFamilies.Any(f =>
        {
            using var typeface = SKTypeface.FromFamilyName(f);
            using var font = new SKFont(typeface);
            return font.ContainsGlyphs(letters);
        });
        if (!anyFontHasThem)
        {
            // No font for this script here (a developer machine): nothing to check. CI installs fonts-noto-core, so there it must be found.
            Assert.True(Environment.GetEnvironmentVariable("CI") is null, $"no installed font has {letters}; .ci/run installs fonts-noto-core");
            return;
        }
        var font = PlotFont.For(labels);
        Assert.Null(font.Warning);
        using var typeface = SKTypeface.FromFamilyName(font.Family);
        using var skFont = new SKFont(typeface);
        Assert.True(skFont.ContainsGlyphs(letters), $"{font.Family} lacks some of {letters}");
    }

    [Fact]
    public void Characters_no_font_has_are_named_in_a_warning()
    {
        // U+E000 is a private-use character: no standard font draws it.
        var font = PlotFont.For(["A", "\uE000"]);
        Assert.NotNull(font.Warning);
        Assert.Contains("\uE000", font.Warning);
        Assert.Contains("fonts-noto-core", font.Warning);
    }
}
