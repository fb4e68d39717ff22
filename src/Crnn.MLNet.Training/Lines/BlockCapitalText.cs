using System.Text;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Training.Lines;

/// <summary>
/// What block-capital lines on forms say, for <see cref="LineTextKind.Names"/>: the character set of such a line model
/// (digits, A-Z, space and <c>- ' . ,</c>) and a seeded source of texts: names from <see cref="CommonNames"/> alone and
/// combined (JEAN-PIERRE, SMITH, JOHN, J. SMITH, O'BRIEN, DE LA CRUZ), made-up name-like words (a letter trigram chain
/// over the names, so the model learns spelling, not a list), random letters and letter-digit codes.
/// Thread-safe: it keeps no mutable state (the caller owns the <see cref="Random"/>).
/// </summary>
public static class BlockCapitalText
{
    /// <summary>The characters taken from the dataset's images.</summary>
    public const string Glyphs = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>The characters drawn by the synthesiser itself: the space (a wider gap) and four pen-drawn marks.</summary>
    public const string Marks = " -'.,";

    /// <summary>A line model's labels for block capitals: <see cref="Glyphs"/> then <see cref="Marks"/>, one character each.</summary>
    public static IReadOnlyList<string> Labels { get; } = (Glyphs + Marks).Select(c => c.ToString()).ToArray();

    private const string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static readonly string[] Particles = ["DE ", "DU ", "LE ", "LA ", "DE LA ", "VAN ", "VAN DER ", "VON ", "DEL ", "DI ", "DA ", "DOS ", "BEN ", "EL ", "AL "];
    private static readonly Lazy<Dictionary<string, string>> Trigrams = new(BuildTrigrams);

    /// <summary>
    /// The dataset cut down to the block-capital glyphs (its classes "0"-"9" and "A"-"Z"; other classes, such as
    /// EMNIST's lower-case letters, are dropped) and relabelled in the order of <see cref="Labels"/>, whose marks
    /// have no images: the synthesiser draws them.
    /// </summary>
    /// <exception cref="ArgumentException">The dataset lacks one of the glyphs, or a glyph class has no image.</exception>
    public static CharacterDataset Alphabet(CharacterDataset source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var newLabel = new int[source.ClassCount];
        Array.Fill(newLabel, -1);
        var missing = new List<char>();
        for (int k = 0; k < Glyphs.Length; k++)
        {
            int old = IndexOf(source.LabelNames, Glyphs[k].ToString());
            if (old < 0) missing.Add(Glyphs[k]);
            else newLabel[old] = k;
        }
        if (missing.Count > 0)
            throw new ArgumentException($"dataset '{source.Name}': block-capital lines need the classes 0-9 and A-Z; missing {string.Join(' ', missing)} (use a set with digits and capitals, such as emnist47 or EMNIST Balanced).", nameof(source));
        var keep = Enumerable.Range(0, source.Count).Where(i => newLabel[source.Labels[i]] >= 0).ToArray();
        var subset = source.Subset(keep);
        var labels = subset.Labels.Select(l => newLabel[l]).ToArray();
        var result = new CharacterDataset(source.Name + "-capitals", subset.Images, labels, source.Height, source.Width, Labels);
        var counts = result.ClassCounts();
        if (Enumerable.Range(0, Glyphs.Length).FirstOrDefault(k => counts[k] == 0, -1) is int empty and >= 0)
            throw new ArgumentException($"dataset '{source.Name}': class '{Glyphs[empty]}' has no images.", nameof(source));
        return result;
    }

    /// <summary>One text of <paramref name="minLength"/>..<paramref name="maxLength"/> characters, with no space at either end.</summary>
    public static string Next(Random rng, int minLength, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (minLength < 1 || maxLength < minLength) throw new ArgumentOutOfRangeException(nameof(maxLength), $"length range {minLength}..{maxLength} is empty");
        for (int attempt = 0; attempt < 50; attempt++)
        {
            string text = Draw(rng);
            if (text.Length >= minLength && text.Length <= maxLength) return text;
        }
        return RandomGlyphs(rng, rng.Next(minLength, maxLength + 1), Letters);
    }

    private static string Draw(Random rng) => rng.NextDouble() switch
    {
        < 0.28 => Pick(CommonNames.Family, rng),
        < 0.42 => Pick(CommonNames.Given, rng),
        < 0.56 => TwoNames(rng),
        < 0.62 => WithParticle(rng),
        < 0.80 => MadeUp(rng),
        < 0.90 => RandomLetters(rng),
        _ => Code(rng),
    };

    private static string TwoNames(Random rng)
    {
        string given = Pick(CommonNames.Given, rng), family = Pick(CommonNames.Family, rng);
        return rng.NextDouble() switch
        {
            < 0.30 => $"{given} {family}",
            < 0.42 => $"{family} {given}",
            < 0.56 => $"{given}-{Pick(CommonNames.Given, rng)}",
            < 0.66 => $"{family}-{Pick(CommonNames.Family, rng)}",
            < 0.74 => $"{given} {Pick(CommonNames.Given, rng)}",
            < 0.82 => $"{family}, {given}",
            < 0.92 => $"{given[0]}. {family}",
            _ => $"{given} {Pick(CommonNames.Given, rng)[0]}.",
        };
    }

    private static string WithParticle(Random rng)
    {
        string name = rng.NextDouble() < 0.7 ? Pick(CommonNames.Family, rng) : MadeUp(rng);
        return rng.NextDouble() switch
        {
            < 0.30 => "O'" + name,
            < 0.42 => "D'" + name,
            < 0.80 => Pick(Particles, rng) + name,
            < 0.90 => "ST. " + name,
            _ => "MC" + name,
        };
    }

    // A word from the trigram chain over all names: name-like but usually not in the list.
    private static string MadeUp(Random rng)
    {
        var table = Trigrams.Value;
        var word = new StringBuilder();
        string context = "^^";
        while (word.Length < 14 && table.TryGetValue(context, out string? next))
        {
            char c = next[rng.Next(next.Length)];
            if (c == '$') break;
            word.Append(c);
            context = string.Concat(context[1], c);
        }
        return word.Length == 0 ? Pick(CommonNames.Family, rng) : word.ToString();
    }

    // Letters with no spelling at all (so no letter is only ever read from its neighbours), now and then split by a
    // space or a mark.
    private static string RandomLetters(Random rng)
    {
        string text = RandomGlyphs(rng, rng.Next(1, 11), Letters);
        if (text.Length >= 3 && rng.NextDouble() < 0.25)
        {
            int at = rng.Next(1, text.Length - 1);
            string mark = rng.NextDouble() switch { < 0.4 => " ", < 0.6 => "-", < 0.75 => ". ", < 0.9 => "'", _ => ", " };
            text = text[..at] + mark + text[at..];
        }
        return text;
    }

    // Reference numbers and postcodes: one to three groups of letters and digits joined by a hyphen, a space or nothing.
    private static string Code(Random rng)
    {
        var code = new StringBuilder();
        int groups = rng.Next(1, 4);
        for (int g = 0; g < groups; g++)
        {
            if (g > 0) code.Append(rng.NextDouble() switch { < 0.45 => "-", < 0.8 => " ", _ => "" });
            string pool = rng.NextDouble() switch { < 0.35 => Letters, < 0.7 => Glyphs[..10], _ => Glyphs };
            code.Append(RandomGlyphs(rng, rng.Next(1, 5), pool));
        }
        return code.ToString();
    }

    private static string RandomGlyphs(Random rng, int length, string pool)
    {
        var chars = new char[length];
        for (int i = 0; i < length; i++) chars[i] = pool[rng.Next(pool.Length)];
        return new string(chars);
    }

    private static string Pick(string[] items, Random rng) => items[rng.Next(items.Length)];

    private static int IndexOf(IReadOnlyList<string> labels, string label)
    {
        for (int k = 0; k < labels.Count; k++)
            if (labels[k] == label) return k;
        return -1;
    }

    // For each two-letter context ("^^" starts a word), the letters that follow it in the names, once per occurrence
    // ("$" ends the word): drawing one uniformly follows the names' trigram frequencies.
    private static Dictionary<string, string> BuildTrigrams()
    {
        var follow = new Dictionary<string, StringBuilder>();
        foreach (string name in CommonNames.Given.Concat(CommonNames.Family))
        {
            string padded = "^^" + name + "$";
            for (int i = 2; i < padded.Length; i++)
            {
                string context = padded.Substring(i - 2, 2);
                if (!follow.TryGetValue(context, out var next)) follow[context] = next = new StringBuilder();
                next.Append(padded[i]);
            }
        }
        return follow.ToDictionary(p => p.Key, p => p.Value.ToString());
    }
}
