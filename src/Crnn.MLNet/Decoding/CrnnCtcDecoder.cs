using Crnn.MLNet.Recognition;

namespace Crnn.MLNet.Decoding;

/// <summary>
/// Turns a CTC line model's output, <c>T x (labels + 1)</c> log-probabilities per line (class 0 = blank, class k + 1 =
/// label k), into text: greedy (best path) or prefix beam search, optionally constrained by an alphabet and a pattern.
/// </summary>
/// <remarks>
/// <para>Every result carries the exact probability of its text (<see cref="CrnnTextResult.Confidence"/>) and, per
/// character, its time steps in the most likely alignment of that text and the top candidates at its peak step (see
/// <see cref="CrnnTextCharacter"/>).</para>
/// <para>Immutable and thread-safe: one decoder can serve any number of threads.</para>
/// </remarks>
public sealed class CrnnCtcDecoder
{
    private readonly char[] _labels;
    private readonly LabelAutomaton _constraint;

    /// <summary>A decoder for a model with these <paramref name="labels"/> (one character each, in output order after the blank).</summary>
    /// <exception cref="ArgumentException">The options are out of range, the alphabet holds a character the model cannot write,
    /// the pattern is invalid or unsupported, or no text over the allowed labels matches the pattern.</exception>
    public CrnnCtcDecoder(IReadOnlyList<string> labels, CrnnCtcDecodingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        Options = options ?? CrnnCtcDecodingOptions.Default;
        if (labels.Count == 0) throw new ArgumentException("a line model needs at least one label.", nameof(labels));
        if (labels.Any(l => l is null || l.Length != 1)) throw new ArgumentException("every label of a line model must be exactly one character.", nameof(labels));
        _labels = labels.Select(l => l[0]).ToArray();
        if (_labels.Distinct().Count() != _labels.Length) throw new ArgumentException("labels must be distinct.", nameof(labels));
        if (!Enum.IsDefined(Options.Mode)) throw new ArgumentOutOfRangeException(nameof(options), Options.Mode, "unknown decoding mode");
        if (Options.BeamWidth is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(options), Options.BeamWidth, "BeamWidth must be in 1..1000");
        if (Options.Alternatives is < 0 or > CrnnCtcDecodingOptions.MaxAlternatives)
            throw new ArgumentOutOfRangeException(nameof(options), Options.Alternatives, $"Alternatives must be in 0..{CrnnCtcDecodingOptions.MaxAlternatives}");
        bool hasPattern = !string.IsNullOrEmpty(Options.Pattern);
        if (hasPattern && Options.Mode == CrnnCtcDecodingMode.Greedy)
            throw new ArgumentException("a pattern needs beam search: set Mode = BeamSearch (greedy decoding cannot follow a pattern).", nameof(options));

        bool[]? allowed = null;
        if (!string.IsNullOrEmpty(Options.Alphabet))
        {
            allowed = new bool[_labels.Length];
            foreach (char c in Options.Alphabet)
            {
                int k = Array.IndexOf(_labels, c);
                if (k < 0)
                    throw new ArgumentException($"alphabet: '{c}' (U+{(int)c:X4}) is not among the model's labels ({new string(_labels)}).", nameof(options));
                allowed[k] = true;
            }
        }
        var pattern = hasPattern ? CrnnTextPattern.Parse(Options.Pattern!) : null;
        _constraint = LabelAutomaton.Build(_labels, allowed, pattern)
            ?? throw new ArgumentException($"pattern '{Options.Pattern}': matches no text written with {(allowed is null ? "the model's labels" : "the alphabet")} ({(allowed is null ? new string(_labels) : Options.Alphabet)}).", nameof(options));
    }

    public CrnnCtcDecodingOptions Options { get; }

    /// <summary>The model's labels, in output order after the blank.</summary>
    public IReadOnlyList<char> Labels => _labels;

    /// <summary>Classes per time step: the labels plus the blank.</summary>
    public int ClassCount => _labels.Length + 1;

    /// <summary>
    /// Decodes one line: <paramref name="logProbs"/> holds <paramref name="steps"/> rows of <see cref="ClassCount"/>
    /// log-probabilities (row-major, as the model writes them).
    /// </summary>
    /// <exception cref="ArgumentException">The span is too short or holds NaN.</exception>
    public CrnnTextResult Decode(ReadOnlySpan<float> logProbs, int steps)
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
        if (labels is null) return CrnnTextResult.NoMatch(steps);
        return Describe(logProbs, steps, labels);
    }

    /// <summary>The text, its exact probability and its characters for a decoded label sequence.</summary>
    private CrnnTextResult Describe(ReadOnlySpan<float> logProbs, int steps, int[] labels)
    {
        int classes = ClassCount;
        var text = new string(labels.Select(k => _labels[k]).ToArray());
        float confidence = (float)Math.Exp(CtcAlignment.LogProbability(logProbs, steps, classes, labels));
        var spans = new (int First, int Last)[labels.Length];
        if (!CtcAlignment.BestAlignment(logProbs, steps, classes, labels, spans))
            return new CrnnTextResult(text, 0f, [], steps);
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
        return new CrnnTextResult(text, confidence, characters, steps);
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
