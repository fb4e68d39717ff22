namespace Crnn.MLNet.Decoding;

/// <summary>
/// The decoding constraint as a deterministic automaton over the model's label INDICES: the pattern's automaton (or a
/// single state accepting everything) restricted to the allowed labels, with dead states removed and, per state, the
/// fewest labels still needed to reach acceptance (so that beam search can drop texts that cannot be finished in the
/// time steps left). Immutable and thread-safe.
/// </summary>
internal sealed class LabelAutomaton
{
    private readonly int[] _next;      // [state * labels + label] -> state, or -1
    private readonly bool[] _accept;
    private readonly int[] _toAccept;  // fewest labels from the state to an accepting state

    private LabelAutomaton(int labels, int[] next, bool[] accept, int[] toAccept)
    {
        LabelCount = labels;
        _next = next;
        _accept = accept;
        _toAccept = toAccept;
    }

    public int LabelCount { get; }
    public int Initial => 0;

    /// <summary>Whether the constraint lets every label through in every state (nothing to check).</summary>
    public bool IsUnconstrained { get; private init; }

    public int Next(int state, int label) => _next[state * LabelCount + label];
    public bool Accepts(int state) => _accept[state];
    public int LabelsToAccept(int state) => _toAccept[state];

    /// <summary>
    /// Builds the automaton for <paramref name="labels"/> (each label a non-empty string: the pattern steps through all
    /// of its UTF-16 units, so a letter written with a modifier or beyond the BMP is one label), allowing only <paramref name="allowed"/>
    /// labels (null: all) and, when given, only texts matching <paramref name="pattern"/>. Returns null when no text
    /// can be written at all under these constraints (the caller names the reason).
    /// </summary>
    public static LabelAutomaton? Build(IReadOnlyList<string> labels, bool[]? allowed, CrnnTextPattern? pattern)
    {
        int n = labels.Count;
        if (pattern is null)
        {
            var next = new int[n];
            for (int k = 0; k < n; k++) next[k] = allowed is null || allowed[k] ? 0 : -1;
            return new LabelAutomaton(n, next, [true], [0]) { IsUnconstrained = allowed is null || allowed.All(a => a) };
        }

        // Number the pattern automaton's states reachable through the labels, breadth first from the initial state.
        var index = new Dictionary<Fare.State, int>(ReferenceEqualityComparer.Instance);
        var states = new List<Fare.State>();
        var edges = new List<int>();
        index[pattern.Automaton.Initial] = 0;
        states.Add(pattern.Automaton.Initial);
        for (int i = 0; i < states.Count; i++)
        {
            for (int k = 0; k < n; k++)
            {
                var to = allowed is null || allowed[k] ? Step(states[i], labels[k]) : null;
                if (to is null) { edges.Add(-1); continue; }
                if (!index.TryGetValue(to, out int j))
                {
                    if (states.Count >= CrnnTextPattern.MaxStates) throw new ArgumentException($"pattern '{pattern.Pattern}': too many automaton states over the model's labels.", "pattern");
                    j = states.Count;
                    index[to] = j;
                    states.Add(to);
                }
                edges.Add(j);
            }
        }
        int count = states.Count;
        var accept = states.Select(s => s.Accept).ToArray();

        // Distance to acceptance by a backwards breadth-first search; unreachable acceptance = dead state.
        var reverse = new List<int>[count];
        for (int s = 0; s < count; s++) reverse[s] = [];
        for (int s = 0; s < count; s++)
            for (int k = 0; k < n; k++)
                if (edges[s * n + k] is int t and >= 0) reverse[t].Add(s);
        var distance = Enumerable.Repeat(int.MaxValue, count).ToArray();
        var queue = new Queue<int>();
        for (int s = 0; s < count; s++)
            if (accept[s]) { distance[s] = 0; queue.Enqueue(s); }
        while (queue.Count > 0)
        {
            int t = queue.Dequeue();
            foreach (int s in reverse[t])
                if (distance[s] == int.MaxValue) { distance[s] = distance[t] + 1; queue.Enqueue(s); }
        }
        if (distance[0] == int.MaxValue) return null;
        var table = edges.ToArray();
        for (int i = 0; i < table.Length; i++)
            if (table[i] >= 0 && distance[table[i]] == int.MaxValue) table[i] = -1;
        return new LabelAutomaton(n, table, accept, distance);
    }

    private static Fare.State? Step(Fare.State state, string label)
    {
        Fare.State? s = state;
        for (int i = 0; i < label.Length && s is not null; i++) s = s.Step(label[i]);
        return s;
    }
}
