namespace Crnn.MLNet.Training.Training;

/// <summary>A seeded split that keeps each class's share the same in both parts.</summary>
public static class StratifiedSplit
{
    /// <summary>
    /// Splits indices 0..labels.Length-1 so that about <paramref name="validationFraction"/> of each
    /// class goes to validation. Same labels and seed, same split.
    /// </summary>
    public static (int[] Train, int[] Validation) Split(IReadOnlyList<int> labels, double validationFraction, int seed)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "must be in (0, 1)");
        var rng = new Random(seed);
        var train = new List<int>();
        var validation = new List<int>();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            int[] members = group.ToArray();
            rng.Shuffle(members);
            int take = (int)Math.Round(members.Length * validationFraction);
            if (members.Length >= 2) take = Math.Clamp(take, 1, members.Length - 1);
            validation.AddRange(members[..take]);
            train.AddRange(members[take..]);
        }
        train.Sort();
        validation.Sort();
        return (train.ToArray(), validation.ToArray());
    }
}
