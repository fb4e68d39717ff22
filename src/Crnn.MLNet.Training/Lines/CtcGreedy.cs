namespace Crnn.MLNet.Training.Lines;

/// <summary>
/// Best-path CTC decoding for validation during training, straight from the arg-max tensor: most likely class per step,
/// repeats merged, blanks dropped. (Scoring the texts is <see cref="Crnn.MLNet.Evaluation.CrnnTextEvaluator"/>'s job.)
/// </summary>
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
}
