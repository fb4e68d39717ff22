namespace Crnn.MLNet.Decoding;

/// <summary>
/// CTC prefix beam search (Hannun et al., 2014) with a constraint automaton: each prefix keeps the probability of its
/// alignments ending in a blank and ending in its last label, prefixes that many alignments reach are merged, and only
/// the most likely <c>width</c> survive each step. A prefix is extended by a label only when the automaton allows it and
/// the automaton can still reach acceptance in the steps left; at the end only accepted prefixes count.
/// </summary>
internal static class CtcBeamSearch
{
    private static readonly (double Blank, double Label) s_none = (double.NegativeInfinity, double.NegativeInfinity);

    /// <summary>The label sequence of the most likely accepted prefix, or null when none was accepted.</summary>
    public static int[]? Run(ReadOnlySpan<float> logProbs, int steps, int classes, LabelAutomaton constraint, int width)
    {
        // Prefixes form a trie; a prefix is the index of its last node.
        var parent = new List<int> { -1 };
        var last = new List<int> { -1 };
        var state = new List<int> { constraint.Initial };
        var children = new Dictionary<long, int>();
        if (constraint.LabelsToAccept(constraint.Initial) > steps) return null;

        var beams = new List<Beam> { new(0, 0, double.NegativeInfinity) };
        var next = new Dictionary<int, (double Blank, double Label)>();
        int labels = classes - 1;
        for (int t = 0; t < steps; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            int left = steps - t - 1; // steps after this one
            next.Clear();
            foreach (var b in beams)
            {
                double total = CtcAlignment.LogAdd(b.Blank, b.Label);
                int s = state[b.Node], end = last[b.Node];
                // The same prefix, by a blank or by repeating its last label, while it can still be finished.
                if (constraint.LabelsToAccept(s) <= left)
                {
                    var same = next.GetValueOrDefault(b.Node, s_none);
                    same.Blank = CtcAlignment.LogAdd(same.Blank, total + row[0]);
                    if (end >= 0) same.Label = CtcAlignment.LogAdd(same.Label, b.Label + row[end + 1]);
                    next[b.Node] = same;
                }

                // Longer prefixes.
                for (int k = 0; k < labels; k++)
                {
                    int to = constraint.Next(s, k);
                    if (to < 0 || constraint.LabelsToAccept(to) > left) continue;
                    // A repeated label needs a blank in between: only alignments ending in a blank extend.
                    double p = (k == end ? b.Blank : total) + row[k + 1];
                    if (double.IsNegativeInfinity(p)) continue;
                    long key = (long)b.Node * labels + k;
                    if (!children.TryGetValue(key, out int child))
                    {
                        child = parent.Count;
                        parent.Add(b.Node);
                        last.Add(k);
                        state.Add(to);
                        children[key] = child;
                    }
                    var c = next.GetValueOrDefault(child, s_none);
                    c.Label = CtcAlignment.LogAdd(c.Label, p);
                    next[child] = c;
                }
            }
            beams.Clear();
            foreach (var (node, p) in next) beams.Add(new Beam(node, p.Blank, p.Label));
            // Most likely first; ties by trie node, so that results do not depend on dictionary order.
            beams.Sort(static (x, y) =>
            {
                int c = y.Total.CompareTo(x.Total);
                return c != 0 ? c : x.Node.CompareTo(y.Node);
            });
            if (beams.Count > width) beams.RemoveRange(width, beams.Count - width);
        }

        foreach (var b in beams)
        {
            if (!constraint.Accepts(state[b.Node]) || double.IsNegativeInfinity(b.Total)) continue;
            var result = new List<int>();
            for (int n = b.Node; n > 0; n = parent[n]) result.Add(last[n]);
            result.Reverse();
            return result.ToArray();
        }
        return null;
    }

    private readonly record struct Beam(int Node, double Blank, double Label)
    {
        public double Total => CtcAlignment.LogAdd(Blank, Label);
    }
}
