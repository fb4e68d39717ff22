using Crnn.MLNet.Decoding;

namespace Crnn.MLNet.Tests.Lines;

public class PatternTests
{
    [Theory]
    [InlineData(@"\d{4}-\d{2}-\d{2}", "2026-11-29", true)]
    [InlineData(@"\d{4}-\d{2}-\d{2}", "2026-11-2", false)]
    [InlineData(@"\d{4}-\d{2}-\d{2}", "x2026-11-29", false)]
    [InlineData(@"^[0-9]+$", "0042", true)]
    [InlineData(@"^[0-9]+$", "", false)]
    [InlineData(@"[A-Z][a-z]*|\d+", "Hello", true)]
    [InlineData(@"[A-Z][a-z]*|\d+", "Hello1", false)]
    [InlineData(@"(?:ab)+c?", "ababc", true)]
    [InlineData(@"(?<year>\d\d)?x", "x", true)]
    [InlineData(@"[^0-9]{2,3}", "ab", true)]
    [InlineData(@"[^0-9]{2,3}", "a1", false)]
    [InlineData(@"[\d-]+", "12-3", true)]
    [InlineData(@"\w+\.\w+", "a_1.b", true)]
    [InlineData(@"a.c", "a-c", true)]
    [InlineData(@"\x41\u0042", "AB", true)]
    [InlineData(@"a{2,}?", "aaa", true)]
    [InlineData(@"\$\^", "$^", true)]
    [InlineData(@"{x}", "{x}", true)]
    [InlineData("12-34", "12-34", true)]
    [InlineData("12-34", "12-3", false)]
    [InlineData("", "", true)]
    public void Whole_text_matches_like_a_dotnet_regex(string pattern, string text, bool matches)
    {
        Assert.Equal(matches, CrnnTextPattern.Parse(pattern).Matches(text));
        // The same answer as .NET's own engine with the pattern anchored at both ends.
        Assert.Equal(matches, System.Text.RegularExpressions.Regex.IsMatch(text, $"^(?:{pattern.TrimStart('^').TrimEnd('$')})$"));
    }

    [Theory]
    [InlineData(@"a\b", "the word boundary '\\b'")]
    [InlineData(@"(a)\1", "a back-reference '\\1'")]
    [InlineData(@"a(?=b)", "a look-around group")]
    [InlineData(@"(?i)abc", "inline options")]
    [InlineData(@"a^b", "the anchor '^' inside the pattern")]
    [InlineData(@"a$b", "the anchor '$' inside the pattern")]
    [InlineData(@"\p{L}+", "the Unicode category")]
    [InlineData(@"[a-z-[aeiou]]", "class subtraction")]
    [InlineData(@"(?>a+)b", "an atomic group")]
    public void Unsupported_constructs_are_named(string pattern, string what)
    {
        var e = Assert.Throws<ArgumentException>(() => CrnnTextPattern.Parse(pattern));
        Assert.Contains($"pattern '{pattern}': {what}", e.Message);
        Assert.Contains("is not supported", e.Message);
    }

    [Fact]
    public void Invalid_syntax_gets_the_dotnet_message()
    {
        var e = Assert.Throws<ArgumentException>(() => CrnnTextPattern.Parse("[0-9"));
        Assert.StartsWith("pattern '[0-9': not a valid regular expression: ", e.Message);
    }

    [Fact]
    public void Huge_counts_and_empty_languages_are_refused()
    {
        Assert.Contains("above the limit of 1000", Assert.Throws<ArgumentException>(() => CrnnTextPattern.Parse(@"\d{5000}")).Message);
        Assert.Contains("matches no text at all", Assert.Throws<ArgumentException>(() => CrnnTextPattern.Parse(@"[^\s\S]")).Message);
    }
}
