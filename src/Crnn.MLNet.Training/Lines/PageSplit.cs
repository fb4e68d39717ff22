namespace Crnn.MLNet.Training.Lines;

/// <summary>
/// Splits labelled lines into training and validation so that no page (or writer) is on both sides: a model scored on
/// lines of pages it was trained on would look better than it will on a user's next page. Lines without a page
/// are each their own group.
/// </summary>
public static class PageSplit
{
    /// <summary>
    /// Whole pages, drawn in an order fixed by <paramref name="seed"/>, go to validation until it holds at least
    /// <paramref name="validationFraction"/> of the lines; the rest train. <paramref name="trainingLimit"/> keeps only
    /// that many training lines (drawn by the seed too), to measure what fewer labelled lines give.
    /// </summary>
    public static (IReadOnlyList<LabelledLine> Training, IReadOnlyList<LabelledLine> Validation) Split(
        IReadOnlyList<LabelledLine> lines, double validationFraction, int seed, int? trainingLimit = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "must be between 0 and 1.");
        if (trainingLimit is <= 0) throw new ArgumentOutOfRangeException(nameof(trainingLimit), trainingLimit, "must be positive.");
        var group = lines.Select((l, i) => l.Page ?? $"\0line {i}").ToArray();
        var pages = group.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (pages.Length < 2)
            throw new ArgumentException($"all {lines.Count} lines come from one page: nothing is left to validate on another page.", nameof(lines));
        new Random(seed).Shuffle(pages);
        var validationPages = new HashSet<string>(StringComparer.Ordinal);
        int validationLines = 0, want = (int)Math.Ceiling(validationFraction * lines.Count);
        var perPage = group.CountBy(p => p, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        // Never every page: at least one stays for training.
        for (int p = 0; p < pages.Length - 1 && validationLines < want; p++)
        {
            validationPages.Add(pages[p]);
            validationLines += perPage[pages[p]];
        }
        var training = new List<LabelledLine>();
        var validation = new List<LabelledLine>();
        for (int i = 0; i < lines.Count; i++)
            (validationPages.Contains(group[i]) ? validation : training).Add(lines[i]);
        if (trainingLimit is int limit && limit < training.Count)
        {
            var chosen = training.ToArray();
            new Random(unchecked(seed * 31 + 7)).Shuffle(chosen);
            training = chosen.Take(limit).ToList();
        }
        return (training, validation);
    }
}
