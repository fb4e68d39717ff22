
namespace Crnn.MLNet.Decoding;

/// <summary>
/// Turns a CTC line model's output, <c>T x (labels + 1)</c> log-probabilities per line (class 0 = blank, class k + 1 =
/// label k), into text: greedy (best path) or prefix beam search, optionally constrained by an alphabet and a pattern.
/// </summary>
/// <remarks>
/// <para>Every result carries the exact probability of its text (<see cref="CrnnTextPrediction.Confidence"/>) and, per
/// character, its time steps in the most likely alignment of that text and the top candidates at its peak step (see
/// <see cref="CrnnTextCharacter"/>).</para>
/// <para>Immutable and thread-safe: one decoder can serve any number of threads.</para>
/// </remarks>
public sealed class CrnnCtcDecoder
{
    private readonly string[] _labels;
    private readonly LabelAutomaton _constraint;

    /// <summary>
    /// A decoder for a model with these <paramref name="labels"/> (in output order after the blank). A label is the text
    /// one CTC class writes: usually one character, but any non-empty Unicode text (a character beyond the BMP, a
    /// letter with its modifier); the decoded text is the concatenation of the labels.
    /// </summary>
    /// <exception cref="ArgumentException">The options are out of range, the alphabet holds a character the model cannot write,
    /// the pattern is invalid or unsupported, or no text over the allowed labels matches the pattern.</exception>
    public CrnnCtcDecoder(IReadOnlyList<string> labels, CrnnCtcDecodingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        Options = options ?? CrnnCtcDecodingOptions.Default;
        if (labels.Count == 0) throw new ArgumentException("a line model needs at least one label.", nameof(labels));
        if (LabelProblem(labels) is { } problem) throw new ArgumentException(problem, nameof(labels));
        _labels = labels.ToArray();
        if (!Enum.IsDefined(Options.Mode)) throw new ArgumentOutOfRangeException(nameof(options), Options.Mode, "unknown decoding mode");
        if (Options.BeamWidth is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(options), Options.BeamWidth, "BeamWidth must be in 1..1000");
        if (Options.Alternatives is < 0 or > CrnnCtcDecodingOptions.MaxAlternatives)
            throw new ArgumentOutOfRangeException(nameof(options), Options.Alternatives, $"Alternatives must be in 0..{CrnnCtcDecodingOptions.MaxAlternatives}");
        bool hasPattern = !string.IsNullOrEmpty(Options.Pattern);
        if (hasPattern && Options.Mode == CrnnCtcDecodingMode.Greedy)
            throw new ArgumentException("a pattern needs beam search: set Mode = BeamSearch (greedy decoding cannot follow a pattern).", nameof(options));

        bool[]? allowed = string.IsNullOrEmpty(Options.Alphabet) ? null : AllowedLabels(Options.Alphabet);
        var pattern = hasPattern ? CrnnTextPattern.Parse(Options.Pattern!) : null;
        _constraint = LabelAutomaton.Build(_labels, allowed, pattern)
            ?? throw new ArgumentException($"pattern '{Options.Pattern}': matches no text written with {(allowed is null ? "the model's labels" : "the alphabet")} ({(allowed is null ? string.Concat(_labels) : Options.Alphabet)}).", nameof(options));
    }

    /// <summary>Why these labels cannot be a line model's (null when they can): empty or missing labels, duplicates, broken UTF-16.</summary>
    internal static string? LabelProblem(IReadOnlyList<string> labels)
    {
        for (int k = 0; k < labels.Count; k++)
        {
            if (string.IsNullOrEmpty(labels[k])) return $"label {k} is empty: every CTC class must write some text.";
            if (!IsWellFormed(labels[k])) return $"label {k} is not valid UTF-16 (a lone surrogate).";
        }
        var duplicate = labels.GroupBy(l => l, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null ? null : $"labels must be distinct: '{duplicate.Key}' appears {duplicate.Count()} times.";
    }

    private static bool IsWellFormed(string text)
    {
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf16(rest, out _, out int consumed) != System.Buffers.OperationStatus.Done) return false;
            rest = rest[consumed..];
        }
        return true;
    }

    // The alphabet's text split into the model's labels, longest label first at each position ("ⴳⵯ" before "ⴳ").
    private bool[] AllowedLabels(string alphabet)
    {
        var allowed = new bool[_labels.Length];
        var byLength = Enumerable.Range(0, _labels.Length).OrderByDescending(k => _labels[k].Length).ToArray();
        for (int i = 0; i < alphabet.Length;)
        {
            int k = -1;
            foreach (int j in byLength)
                if (alphabet.AsSpan(i).StartsWith(_labels[j], StringComparison.Ordinal)) { k = j; break; }
            if (k < 0)
            {
                var rune = System.Text.Rune.GetRuneAt(alphabet, i);
                throw new ArgumentException($"alphabet: '{rune}' (U+{rune.Value:X4}) at position {i} is not among the model's labels ({string.Join(" ", _labels)}).", "options");
            }
            allowed[k] = true;
            i += _labels[k].Length;
        }
        return allowed;
    }

    public CrnnCtcDecodingOptions Options { get; }

    /// <summary>The model's labels, in output order after the blank.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>Classes per time step: the labels plus the blank.</summary>
    public int ClassCount => _labels.Length + 1;

    /// <summary>
    /// Decodes one line: <paramref name="logProbs"/> holds <paramref name="steps"/> rows of <see cref="ClassCount"/>
    /// log-probabilities (row-major, as the model writes them).
    /// </summary>
    /// <exception cref="ArgumentException">The span is too short or holds NaN.</exception>
    public CrnnTextPrediction Decode(ReadOnlySpan<float> logProbs, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        int classes = ClassCount;
        long needed = (long)steps * classes;
        if (logProbs.Length < needed)
            throw new ArgumentException($"log-probabilities: {steps} steps of {classes} classes need {needed} values, got {logProbs.Length}.", nameof(logProbs));
        logProbs = logProbs[..(int)needed];
        if (logProbs.ContainsAnyExceptInRange(float.NegativeInfinity, float.PositiveInfinity))
            throw new ArgumentException("log-probabilities: the model returned NaN.", nameof(logProbs));

        int[]? labels = Options.Mode == CrnnCtcDecodingMode.Greedy
            ? Greedy(logProbs, steps)
            : CtcBeamSearch.Run(logProbs, steps, classes, _constraint, Options.BeamWidth);
        if (labels is null) return CrnnTextPrediction.NoMatch(steps);
        return Describe(logProbs, steps, labels);
    }

    /// <summary>The text, its exact probability and its characters for a decoded label sequence.</summary>
    private CrnnTextPrediction Describe(ReadOnlySpan<float> logProbs, int steps, int[] labels)
    {
        int classes = ClassCount;
        var text = string.Concat(labels.Select(k => _labels[k]));
        float confidence = (float)Math.Exp(CtcAlignment.LogProbability(logProbs, steps, classes, labels));
        var spans = new (int First, int Last)[labels.Length];
        if (!CtcAlignment.BestAlignment(logProbs, steps, classes, labels, spans))
            return new CrnnTextPrediction(text, 0f, [], steps);
        var characters = new CrnnTextCharacter[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            var (first, last) = spans[i];
            int cls = labels[i] + 1, peak = first;
            for (int t = first + 1; t <= last; t++)
                if (logProbs[t * classes + cls] > logProbs[peak * classes + cls]) peak = t;
            var row = logProbs.Slice(peak * classes, classes);
            characters[i] = new CrnnTextCharacter(_labels[labels[i]], MathF.Exp(row[cls]), first, last, Top(row));
        }
        return new CrnnTextPrediction(text, confidence, characters, steps);
    }

    // The most likely labels (blank excluded) of one step; ties: lower label index first.
    private CrnnCharacterCandidate[] Top(ReadOnlySpan<float> row)
    {
        int k = Math.Min(Options.Alternatives, _labels.Length);
        if (k == 0) return [];
        var best = new int[k];
        int n = 0;
        for (int c = 1; c < row.Length; c++)
        {
            if (n == k && row[c] <= row[best[n - 1]]) continue;
            int i = n < k ? n++ : k - 1;
            while (i > 0 && row[c] > row[best[i - 1]]) { best[i] = best[i - 1]; i--; }
            best[i] = c;
        }
        var result = new CrnnCharacterCandidate[n];
        for (int i = 0; i < n; i++) result[i] = new CrnnCharacterCandidate(_labels[best[i] - 1], MathF.Exp(row[best[i]]));
        return result;
    }

    // Best path among the blank and the allowed labels; repeats collapsed, blanks dropped.
    private int[] Greedy(ReadOnlySpan<float> logProbs, int steps)
    {
        int classes = ClassCount;
        var result = new List<int>();
        int previous = 0;
        for (int t = 0; t < steps; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++)
                if (row[c] > row[best] && (_constraint.IsUnconstrained || _constraint.Next(_constraint.Initial, c - 1) >= 0)) best = c;
            if (best != 0 && best != previous) result.Add(best - 1);
            previous = best;
        }
        return result.ToArray();
    }
}
