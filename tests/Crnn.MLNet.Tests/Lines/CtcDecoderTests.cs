using Crnn.MLNet.Decoding;

namespace Crnn.MLNet.Tests.Lines;

public class CtcDecoderTests
{
    private static readonly string[] Digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "-"];

    /// <summary>Log-probabilities from rows of probabilities (class 0 = blank), each row normalised to sum to 1.</summary>
    private static float[] LogProbs(params double[][] rows)
    {
        var result = new List<float>();
        foreach (var row in rows)
        {
            double sum = row.Sum();
            result.AddRange(row.Select(p => (float)Math.Log(p / sum)));
        }
        return result.ToArray();
    }

    /// <summary>A row of <paramref name="classes"/> probabilities: <paramref name="peak"/> gets <paramref name="p"/>, the rest share what is left.</summary>
    private static double[] Row(int classes, int peak, double p = 0.9, int second = -1, double q = 0)
    {
        var row = new double[classes];
        int others = classes - 1 - (second >= 0 ? 1 : 0);
        for (int c = 0; c < classes; c++) row[c] = (1 - p - q) / others;
        row[peak] = p;
        if (second >= 0) row[second] = q;
        return row;
    }

    private static CrnnCtcDecoder Decoder(string[] labels, CrnnCtcDecodingMode mode = CrnnCtcDecodingMode.BeamSearch, string? alphabet = null, string? pattern = null, int beam = 10) =>
        new(labels, new CrnnCtcDecodingOptions { Mode = mode, Alphabet = alphabet, Pattern = pattern, BeamWidth = beam });

    [Fact]
    public void Greedy_collapses_repeats_and_drops_blanks_but_keeps_repeats_split_by_a_blank()
    {
        string[] labels = ["a", "b"];
        // a a blank a b b blank blank b  ->  "aab" + "b" = "aabb"
        int[] path = [1, 1, 0, 1, 2, 2, 0, 0, 2];
        var x = LogProbs(path.Select(c => Row(3, c)).ToArray());
        var r = Decoder(labels, CrnnCtcDecodingMode.Greedy).Decode(x, path.Length);
        Assert.Equal("aabb", r.Text);
        Assert.Equal(path.Length, r.TimeSteps);
        Assert.Equal([(0, 1), (3, 3), (4, 5), (8, 8)], r.Characters.Select(c => (c.FirstStep, c.LastStep)));
        Assert.All(r.Characters, c => Assert.Equal(0.9f, c.Confidence, 4));
    }

    [Fact]
    public void Only_blanks_give_an_empty_text_with_the_probability_of_the_blank_path()
    {
        var x = LogProbs(Row(3, 0, 0.8), Row(3, 0, 0.5));
        var r = Decoder(["a", "b"], CrnnCtcDecodingMode.Greedy).Decode(x, 2);
        Assert.Equal("", r.Text);
        Assert.Empty(r.Characters);
        Assert.Equal(0.8f * 0.5f, r.Confidence, 5);
    }

    [Fact]
    public void Beam_search_finds_the_text_whose_probability_is_spread_over_alignments()
    {
        // Each step: blank 0.6, "a" 0.4. Best path is blank-blank ("" with 0.36), but "a" has
        // aa + a_ + _a = 0.16 + 0.24 + 0.24 = 0.64.
        var x = LogProbs([0.6, 0.4], [0.6, 0.4]);
        var greedy = Decoder(["a"], CrnnCtcDecodingMode.Greedy).Decode(x, 2);
        var beam = Decoder(["a"]).Decode(x, 2);
        Assert.Equal("", greedy.Text);
        Assert.Equal(0.36f, greedy.Confidence, 5);
        Assert.Equal("a", beam.Text);
        Assert.Equal(0.64f, beam.Confidence, 5);
        var a = Assert.Single(beam.Characters);
        Assert.Equal("a", a.Character);
        Assert.Equal(0.4f, a.Confidence, 5);
    }

    [Fact]
    public void Confidence_is_the_exact_sum_over_alignments()
    {
        // Three steps over {blank, a, b}; "ab" is reached by ab_, a_b, _ab, aab, abb.
        double[][] p = [[0.2, 0.5, 0.3], [0.3, 0.3, 0.4], [0.4, 0.1, 0.5]];
        double expected = p[0][1] * p[1][2] * p[2][0] + p[0][1] * p[1][0] * p[2][2] + p[0][0] * p[1][1] * p[2][2]
                        + p[0][1] * p[1][1] * p[2][2] + p[0][1] * p[1][2] * p[2][2];
        var r = Decoder(["a", "b"], beam: 50).Decode(LogProbs(p), 3);
        Assert.Equal("ab", r.Text);
        Assert.Equal(expected, r.Confidence, 5);
    }

    [Fact]
    public void Alternatives_are_the_top_labels_at_the_peak_step_without_the_blank()
    {
        // "7" written over two steps; at the peak step the model also gives "1" some probability.
        var rows = new[] { Row(12, 8, 0.6, 2, 0.3), Row(12, 8, 0.9, 2, 0.05), Row(12, 0, 0.95) };
        var r = new CrnnCtcDecoder(Digits, new CrnnCtcDecodingOptions { Alternatives = 2 }).Decode(LogProbs(rows), 3);
        Assert.Equal("7", r.Text);
        var c = Assert.Single(r.Characters);
        Assert.Equal((0, 1), (c.FirstStep, c.LastStep));
        Assert.Equal(0.9f, c.Confidence, 4);
        Assert.Equal(["7", "1"], c.Alternatives.Select(a => a.Character));
        Assert.Equal(0.9f, c.Alternatives[0].Probability, 4);
        Assert.Equal(0.05f, c.Alternatives[1].Probability, 4);
        Assert.Equal("7=0.9000 1=0.0500", c.FormatAlternatives());
    }

    [Fact]
    public void Alphabet_keeps_out_labels_the_model_prefers()
    {
        // Model reads "l0" (label '-' stands in for a letter-like mark), alphabet allows digits only.
        var rows = new[] { Row(12, 11, 0.7, 2, 0.25), Row(12, 0, 0.9), Row(12, 1, 0.9) };
        foreach (var mode in new[] { CrnnCtcDecodingMode.Greedy, CrnnCtcDecodingMode.BeamSearch })
        {
            var free = Decoder(Digits, mode).Decode(LogProbs(rows), 3);
            var digits = Decoder(Digits, mode, alphabet: "0123456789").Decode(LogProbs(rows), 3);
            Assert.Equal("-0", free.Text);
            Assert.Equal("10", digits.Text);
            Assert.Equal("-", digits.Characters[0].Alternatives[0].Character); // alternatives still show what the model saw
        }
    }

    [Fact]
    public void Pattern_forces_the_text_into_shape()
    {
        // The model sees "12-34" but with the dash weak; the pattern \d\d-\d\d keeps it, \d{4} drops it.
        int[] peaks = [2, 0, 3, 0, 11, 0, 4, 0, 5];
        var rows = peaks.Select(c => c == 11 ? Row(12, 11, 0.55, 0, 0.4) : Row(12, c, 0.9)).ToArray();
        var x = LogProbs(rows);
        Assert.Equal("12-34", Decoder(Digits).Decode(x, rows.Length).Text);
        var date = Decoder(Digits, pattern: @"\d\d-\d\d").Decode(x, rows.Length);
        Assert.Equal("12-34", date.Text);
        var fourDigits = Decoder(Digits, pattern: @"^\d{4}$").Decode(x, rows.Length);
        Assert.Equal("1234", fourDigits.Text);
        Assert.True(fourDigits.Confidence < date.Confidence);
    }

    [Fact]
    public void Pattern_picks_a_less_likely_character_where_the_likely_one_cannot_match()
    {
        // Step 1 prefers '-' (0.6) over '7' (0.35); the pattern wants three digits.
        var rows = new[] { Row(12, 2, 0.9), Row(12, 0, 0.9), Row(12, 11, 0.6, 8, 0.35), Row(12, 0, 0.9), Row(12, 4, 0.9) };
        var r = Decoder(Digits, pattern: @"\d{3}").Decode(LogProbs(rows), rows.Length);
        Assert.Equal("173", r.Text);
        Assert.Equal(["-", "7"], r.Characters[1].Alternatives.Take(2).Select(a => a.Character));
    }

    [Fact]
    public void A_pattern_that_cannot_match_in_the_time_steps_gives_an_empty_text_with_zero_confidence()
    {
        // Ten digits cannot be written in three time steps.
        var rows = new[] { Row(12, 2, 0.9), Row(12, 0, 0.9), Row(12, 3, 0.9) };
        var r = Decoder(Digits, pattern: @"\d{10}").Decode(LogProbs(rows), 3);
        Assert.Equal("", r.Text);
        Assert.Equal(0f, r.Confidence);
        Assert.Empty(r.Characters);
    }

    [Fact]
    public void A_pattern_matching_nothing_over_the_labels_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Decoder(Digits, pattern: "[a-z]+"));
        Assert.Contains("pattern '[a-z]+': matches no text written with the model's labels (0123456789-)", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => Decoder(Digits, alphabet: "01", pattern: @"\d*5\d*"));
        Assert.Contains("matches no text written with the alphabet (01)", e2.Message);
    }

    [Fact]
    public void A_pattern_needs_beam_search()
    {
        var e = Assert.Throws<ArgumentException>(() => Decoder(Digits, CrnnCtcDecodingMode.Greedy, pattern: @"\d+"));
        Assert.Contains("a pattern needs beam search", e.Message);
    }

    [Fact]
    public void Alphabet_characters_must_be_labels()
    {
        var e = Assert.Throws<ArgumentException>(() => Decoder(Digits, alphabet: "0123x"));
        Assert.Contains("alphabet: 'x' (U+0078) at position 4 is not among the model's labels (0 1 2 3 4 5 6 7 8 9 -)", e.Message);
    }

    [Fact]
    public void Options_out_of_range_are_named()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrnnCtcDecoder(Digits, new CrnnCtcDecodingOptions { BeamWidth = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrnnCtcDecoder(Digits, new CrnnCtcDecodingOptions { Alternatives = 101 }));
        Assert.Throws<ArgumentException>(() => new CrnnCtcDecoder([""]));
    }

    [Fact]
    public void Short_or_nan_input_is_refused()
    {
        var d = Decoder(["a"]);
        Assert.Contains("2 steps of 2 classes need 4 values, got 3", Assert.Throws<ArgumentException>(() => d.Decode(new float[3], 2)).Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => d.Decode(new[] { 0f, float.NaN }, 1)).Message);
    }

    [Fact]
    public void Beam_search_is_deterministic_and_agrees_with_greedy_on_clear_input()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 20; trial++)
        {
            int steps = rng.Next(1, 30);
            var rows = Enumerable.Range(0, steps).Select(_ => Row(12, rng.Next(12), 0.97)).ToArray();
            var x = LogProbs(rows);
            var greedy = Decoder(Digits, CrnnCtcDecodingMode.Greedy).Decode(x, steps);
            var beam = Decoder(Digits).Decode(x, steps);
            Assert.Equal(greedy.Text, beam.Text);
            var again = Decoder(Digits).Decode(x, steps);
            Assert.Equal((beam.Text, beam.Confidence), (again.Text, again.Confidence));
            Assert.Equal(beam.Characters, again.Characters, (a, b) => a.Character == b.Character && a.FirstStep == b.FirstStep
                && a.LastStep == b.LastStep && a.Alternatives.SequenceEqual(b.Alternatives));
        }
    }
}
