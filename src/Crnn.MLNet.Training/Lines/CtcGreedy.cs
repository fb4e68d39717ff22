namespace Crnn.MLNet.Training.Lines;

/// <summary>Best-path CTC decoding for validation during training: most likely class per step, repeats merged, blanks dropped.</summary>
internal static class CtcGreedy
{
    /// <summary>Decodes <paramref name="steps"/> arg-max classes (0 = blank) into label indices (class - 1).</summary>
    public static int[] Decode(ReadOnlySpan<long> bestClasses, int steps)
    {
        var result = new List<int>();
        long previous = 0;
        for (int t = 0; t < steps; t++)
        {
            long c = bestClasses[t];
            if (c != 0 && c != previous) result.Add((int)c - 1);
            previous = c;
        }
        return result.ToArray();
    }

    /// <summary>Levenshtein distance between two label sequences.</summary>
    public static int EditDistance(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        var row = new int[b.Count + 1];
        for (int j = 0; j <= b.Count; j++) row[j] = j;
        for (int i = 1; i <= a.Count; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Count; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Count];
    }
}
