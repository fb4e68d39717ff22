namespace Crnn.MLNet.Evaluation;

/// <summary>
/// Accumulates reference/read text pairs into <see cref="CrnnTextMetrics"/>: character error rate (total edit distance
/// over total reference characters) and sequence accuracy, overall and by reference length. Characters are what a
/// reader counts as one in any script: Unicode extended grapheme clusters (a letter with its combining marks, a
/// character beyond the BMP), which are UTF-16 units for Latin digits and letters. Not thread-safe: use one per thread,
/// or lock around <see cref="Add"/>.
/// </summary>
/// <remarks>
/// <code>
/// var evaluator = new CrnnTextEvaluator();
/// foreach (var (reference, image) in testLines) evaluator.Add(reference, recognizer.Predict(image).Text);
/// CrnnTextMetrics m = evaluator.Result();
/// </code>
/// </remarks>
public sealed class CrnnTextEvaluator
{
    private readonly SortedDictionary<int, Counts> _byLength = [];

    /// <summary>Adds one line: its reference and the text read.</summary>
    public void Add(string reference, string hypothesis)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(hypothesis);
        string[] r = Characters(reference), h = Characters(hypothesis);
        if (!_byLength.TryGetValue(r.Length, out var c)) _byLength[r.Length] = c = new Counts();
        c.Lines++;
        c.Characters += r.Length;
        int edits = EditDistance(r, h);
        c.Edits += edits;
        if (edits == 0) c.Exact++;
    }

    /// <summary>The metrics of every line added so far.</summary>
    public CrnnTextMetrics Result()
    {
        var total = new Counts();
        var byLength = new List<CrnnTextLengthMetrics>();
        foreach (var (length, c) in _byLength)
        {
            total.Lines += c.Lines;
            total.Characters += c.Characters;
            total.Edits += c.Edits;
            total.Exact += c.Exact;
            byLength.Add(new CrnnTextLengthMetrics(length, c.Lines, c.Characters, c.Edits, c.ErrorRate, c.Accuracy));
        }
        return new CrnnTextMetrics(total.Lines, total.Characters, total.Edits, total.ErrorRate, total.Accuracy, byLength);
    }

    /// <summary>Metrics of reference/read pairs.</summary>
    public static CrnnTextMetrics Evaluate(IEnumerable<(string Reference, string Hypothesis)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var e = new CrnnTextEvaluator();
        foreach (var (r, h) in pairs) e.Add(r, h);
        return e.Result();
    }

    /// <summary>
    /// Levenshtein distance: the fewest single-character insertions, deletions and substitutions turning
    /// <paramref name="a"/> into <paramref name="b"/>, characters being grapheme clusters (see the class remarks).
    /// </summary>
    public static int EditDistance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return EditDistance(Characters(a), Characters(b));
    }

    /// <summary>The text's characters as a reader counts them (extended grapheme clusters).</summary>
    public static string[] Characters(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<string>(text.Length);
        var e = System.Globalization.StringInfo.GetTextElementEnumerator(text);
        while (e.MoveNext()) result.Add(e.GetTextElement());
        return result.ToArray();
    }

    private static int EditDistance(string[] a, string[] b)
    {
        if (a.Length < b.Length) (a, b) = (b, a);
        // One row of the dynamic programme over the shorter string.
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(above + 1, row[j - 1] + 1), diagonal + (string.Equals(a[i - 1], b[j - 1], StringComparison.Ordinal) ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    private sealed class Counts
    {
        public int Lines, Exact;
        public long Characters, Edits;
        public double ErrorRate => Characters > 0 ? (double)Edits / Characters : Edits > 0 ? 1 : 0;
        public double Accuracy => Lines > 0 ? (double)Exact / Lines : 0;
    }
}
