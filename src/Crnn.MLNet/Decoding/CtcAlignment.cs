namespace Crnn.MLNet.Decoding;

/// <summary>
/// CTC lattice computations for one given label sequence over <c>T x C</c> log-probabilities (class 0 = blank, class
/// k + 1 = label k): its exact probability (forward algorithm, summed over alignments) and its most likely alignment
/// (Viterbi). Both run over the usual extended sequence blank, l1, blank, l2, ..., blank.
/// </summary>
internal static class CtcAlignment
{
    /// <summary>log P(labels | input): the log of the summed probability of every alignment that collapses to <paramref name="labels"/>.</summary>
    public static double LogProbability(ReadOnlySpan<float> logProbs, int steps, int classes, ReadOnlySpan<int> labels)
    {
        int s = 2 * labels.Length + 1;
        if (steps == 0) return labels.Length == 0 ? 0 : double.NegativeInfinity;
        var alpha = new double[s];
        var next = new double[s];
        Array.Fill(alpha, double.NegativeInfinity);
        alpha[0] = logProbs[0];
        if (s > 1) alpha[1] = logProbs[labels[0] + 1];
        for (int t = 1; t < steps; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            for (int i = 0; i < s; i++)
            {
                double a = alpha[i];
                if (i > 0) a = LogAdd(a, alpha[i - 1]);
                // Skipping the blank between two labels is allowed only when they differ.
                if (i > 1 && (i & 1) == 1 && labels[i / 2] != labels[i / 2 - 1]) a = LogAdd(a, alpha[i - 2]);
                next[i] = a + row[Class(labels, i)];
            }
            (alpha, next) = (next, alpha);
        }
        return s > 1 ? LogAdd(alpha[s - 1], alpha[s - 2]) : alpha[0];
    }

    /// <summary>
    /// The most likely alignment of <paramref name="labels"/>: for each label, its first and last time step. Returns false
    /// when the labels cannot be aligned in <paramref name="steps"/> steps.
    /// </summary>
    public static bool BestAlignment(ReadOnlySpan<float> logProbs, int steps, int classes, ReadOnlySpan<int> labels, Span<(int First, int Last)> spans)
    {
        int s = 2 * labels.Length + 1;
        if (labels.Length == 0) return true;
        if (steps == 0) return false;
        var delta = new double[s];
        var next = new double[s];
        var back = new byte[steps * s]; // how far back the best predecessor is: 0, 1 or 2
        Array.Fill(delta, double.NegativeInfinity);
        delta[0] = logProbs[0];
        delta[1] = logProbs[labels[0] + 1];
        for (int t = 1; t < steps; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            for (int i = 0; i < s; i++)
            {
                double best = delta[i];
                byte from = 0;
                if (i > 0 && delta[i - 1] > best) { best = delta[i - 1]; from = 1; }
                if (i > 1 && (i & 1) == 1 && labels[i / 2] != labels[i / 2 - 1] && delta[i - 2] > best) { best = delta[i - 2]; from = 2; }
                next[i] = best + row[Class(labels, i)];
                back[t * s + i] = from;
            }
            (delta, next) = (next, delta);
        }
        int state = delta[s - 1] >= delta[s - 2] ? s - 1 : s - 2;
        if (double.IsNegativeInfinity(delta[state])) return false;
        for (int k = 0; k < labels.Length; k++) spans[k] = (-1, -1);
        for (int t = steps - 1; t >= 0; t--)
        {
            if ((state & 1) == 1)
            {
                int k = state / 2;
                spans[k] = (t, spans[k].Last < 0 ? t : spans[k].Last);
            }
            if (t > 0) state -= back[t * s + state];
        }
        return true;
    }

    private static int Class(ReadOnlySpan<int> labels, int extended) => (extended & 1) == 0 ? 0 : labels[extended / 2] + 1;

    public static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        return a > b ? a + Math.Log(1 + Math.Exp(b - a)) : b + Math.Log(1 + Math.Exp(a - b));
    }
}
