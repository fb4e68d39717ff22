using System.Text.Json;
using Crnn.MLNet.Evaluation;

namespace Crnn.MLNet.Tests.Lines;

public class TextMetricsTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "abc", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("12345", "1245", 1)]
    [InlineData("12345", "54321", 4)]
    public void Edit_distance_is_levenshtein(string a, string b, int expected)
    {
        Assert.Equal(expected, CrnnTextEvaluator.EditDistance(a, b));
        Assert.Equal(expected, CrnnTextEvaluator.EditDistance(b, a));
    }

    [Fact]
    public void Error_rate_and_accuracy_overall_and_by_length()
    {
        var m = CrnnTextEvaluator.Evaluate([
            ("12", "12"),       // exact
            ("34", "35"),       // 1 edit
            ("5678", "5678"),   // exact
            ("9012", "90"),     // 2 edits
            ("1", "17"),        // 1 edit
        ]);
        Assert.Equal(5, m.Lines);
        Assert.Equal(13, m.ReferenceCharacters);
        Assert.Equal(4, m.Edits);
        Assert.Equal(4.0 / 13, m.CharacterErrorRate, 12);
        Assert.Equal(0.4, m.SequenceAccuracy, 12);
        Assert.Equal([1, 2, 4], m.ByLength.Select(b => b.Length));
        var two = m.ByLength[1];
        Assert.Equal((2, 4L, 1L, 0.25, 0.5), (two.Lines, two.ReferenceCharacters, two.Edits, two.CharacterErrorRate, two.SequenceAccuracy));
        Assert.Equal((1.0, 0.0), (m.ByLength[0].CharacterErrorRate, m.ByLength[0].SequenceAccuracy));
    }

    [Fact]
    public void Edge_cases_have_defined_values()
    {
        var none = new CrnnTextEvaluator().Result();
        Assert.Equal((0, 0.0, 0.0), (none.Lines, none.CharacterErrorRate, none.SequenceAccuracy));
        var empty = CrnnTextEvaluator.Evaluate([("", "x")]);
        Assert.Equal((1.0, 0.0), (empty.CharacterErrorRate, empty.SequenceAccuracy));
    }

    [Fact]
    public void Serialises_to_camel_case_json()
    {
        var m = CrnnTextEvaluator.Evaluate([("12", "13"), ("3", "3")]);
        string json = JsonSerializer.Serialize(m, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(2, root.GetProperty("lines").GetInt32());
        Assert.Equal(1.0 / 3, root.GetProperty("characterErrorRate").GetDouble(), 12);
        Assert.Equal(0.5, root.GetProperty("sequenceAccuracy").GetDouble());
        var first = root.GetProperty("byLength")[0];
        Assert.Equal(1, first.GetProperty("length").GetInt32());
        Assert.Equal(1.0, first.GetProperty("sequenceAccuracy").GetDouble());
    }
}
