namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// Accuracy counting a prediction as right when it falls in the same group of look-alike classes as the truth (e.g.
/// EMNIST's O and 0, or I, 1 and L, which writers do not tell apart): from the confusion matrix, so the model runs once.
/// </summary>
internal static class MergedAccuracy
{
    /// <summary>
    /// Parses groups such as <c>"O 0"</c>, <c>"I 1 L"</c> (labels separated by spaces) against the model's labels.
    /// </summary>
    /// <exception cref="CliUsageException">A group names a label the model lacks, has fewer than two labels, or a label is in two groups.</exception>
    public static int[][] ParseGroups(IEnumerable<string> groups, IReadOnlyList<string> labels)
    {
        var seen = new HashSet<int>();
        var result = new List<int[]>();
        foreach (string group in groups)
        {
            var members = group.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (members.Length < 2) throw new CliUsageException($"--merge '{group}': a group needs two or more labels separated by spaces, e.g. --merge \"O 0\".");
            var indices = new int[members.Length];
            for (int i = 0; i < members.Length; i++)
            {
                int k = labels.ToList().IndexOf(members[i]);
                if (k < 0) throw new CliUsageException($"--merge '{group}': '{members[i]}' is not one of the model's labels ({string.Join(" ", labels)}).");
                if (!seen.Add(k)) throw new CliUsageException($"--merge: '{members[i]}' is in more than one group.");
                indices[i] = k;
            }
            result.Add(indices);
        }
        return result.ToArray();
    }

    /// <summary>Share of the images whose prediction is the truth or in the truth's group.</summary>
    public static double Compute(int[][] confusion, int[][] groups)
    {
        int n = confusion.Length;
        var groupOf = Enumerable.Range(0, n).ToArray();
        foreach (var g in groups)
            foreach (int k in g) groupOf[k] = g[0];
        long right = 0, total = 0;
        for (int actual = 0; actual < n; actual++)
            for (int predicted = 0; predicted < n; predicted++)
            {
                total += confusion[actual][predicted];
                if (groupOf[actual] == groupOf[predicted]) right += confusion[actual][predicted];
            }
        return total == 0 ? 0 : (double)right / total;
    }
}
