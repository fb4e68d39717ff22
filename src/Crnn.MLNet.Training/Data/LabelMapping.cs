using System.Globalization;

namespace Crnn.MLNet.Training.Data;

/// <summary>
/// How the label values stored in IDX files map to classes and their names. Classes are numbered 0..n-1 in the
/// order of their stored values, so stored values need not start at 0 (EMNIST Letters stores 1..26).
/// </summary>
public sealed class LabelMapping
{
    private readonly int[] _classOfValue; // indexed by stored byte value; -1 when unused

    /// <summary>Creates a mapping from stored label values (distinct, 0..255) to class names, in class order.</summary>
    public LabelMapping(IReadOnlyList<int> storedValues, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(storedValues);
        ArgumentNullException.ThrowIfNull(names);
        if (storedValues.Count != names.Count)
            throw new ArgumentException($"{storedValues.Count} stored values but {names.Count} names.", nameof(names));
        if (storedValues.Count == 0) throw new ArgumentException("a label mapping needs at least one class.", nameof(storedValues));
        _classOfValue = Enumerable.Repeat(-1, 256).ToArray();
        for (int c = 0; c < storedValues.Count; c++)
        {
            int v = storedValues[c];
            if ((uint)v > 255) throw new ArgumentOutOfRangeException(nameof(storedValues), $"stored label value {v} is not a byte.");
            if (_classOfValue[v] >= 0) throw new ArgumentException($"stored label value {v} appears twice.", nameof(storedValues));
            _classOfValue[v] = c;
        }
        StoredValues = storedValues.ToArray();
        Names = names.ToArray();
    }

    /// <summary>The stored label value of each class.</summary>
    public IReadOnlyList<int> StoredValues { get; }

    /// <summary>The name (character) of each class.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Number of classes.</summary>
    public int ClassCount => Names.Count;

    /// <summary>Classes 0..n-1 stored as themselves, with the given names.</summary>
    public static LabelMapping Identity(IReadOnlyList<string> names) => new(Enumerable.Range(0, names.Count).ToArray(), names);

    /// <summary>Classes 0..n-1 stored as themselves and named by their number ("0", "1", ...).</summary>
    public static LabelMapping Numbered(int classCount) =>
        Identity(Enumerable.Range(0, classCount).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray());

    /// <summary>
    /// Reads a mapping file: one class per line, <c>class-index code [code...]</c> as in EMNIST, where the class is named
    /// by the character of the first code (any Unicode code point, in decimal; EMNIST Letters lists upper and lower case,
    /// e.g. <c>1 65 97</c>, named "A"), or <c>class-index text</c>, where the rest of the line after the index and one
    /// space or tab is the label as UTF-8 text (any Unicode: several code points, combining marks; read as NFC).
    /// Blank lines and lines starting with <c>#</c> are skipped.
    /// </summary>
    public static LabelMapping Parse(string path)
    {
        var entries = new List<(int Value, string Name)>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path, System.Text.Encoding.UTF8))
        {
            lineNumber++;
            string text = line.TrimEnd('\r', '\n').TrimStart();
            if (text.Trim().Length == 0 || text.StartsWith('#')) continue;
            int gap = text.IndexOfAny([' ', '\t']);
            if (gap <= 0 || !int.TryParse(text.AsSpan(0, gap), NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value > 255)
                throw new InvalidDataException($"{path}, line {lineNumber}: expected 'class-index character-code' (e.g. '10 65') or 'class-index label', got '{Cut(text)}'.");
            string rest = text[(gap + 1)..];
            string name = LabelOf(rest.Trim(), path, lineNumber) ?? rest.Normalize(System.Text.NormalizationForm.FormC);
            if (name.Trim().Length == 0 || name.Any(char.IsControl))
                throw new InvalidDataException($"{path}, line {lineNumber}: the label of class {value} is empty or has control characters.");
            if (entries.Any(e => e.Value == value))
                throw new InvalidDataException($"{path}, line {lineNumber}: class index {value} is listed twice.");
            if (entries.FirstOrDefault(e => e.Name == name) is { Name: not null } same)
                throw new InvalidDataException($"{path}, line {lineNumber}: label '{name}' is also class {same.Value}'s.");
            entries.Add((value, name));
        }
        if (entries.Count == 0) throw new InvalidDataException($"{path}: the mapping file lists no classes.");
        entries.Sort((a, b) => a.Value.CompareTo(b.Value));
        return new LabelMapping(entries.Select(e => e.Value).ToArray(), entries.Select(e => e.Name).ToArray());
    }

    // EMNIST's form: decimal code points; the first names the class. Null when the field is not a number (a text label).
    private static string? LabelOf(string field, string path, int lineNumber)
    {
        var parts = field.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !parts.All(p => p.All(char.IsAsciiDigit))) return null;
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int code) || code < 33 || code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
            throw new InvalidDataException($"{path}, line {lineNumber}: '{parts[0]}' is not a printable Unicode code point (33..1114111, no surrogates).");
        return char.ConvertFromUtf32(code);
    }

    private static string Cut(string s) => s.Length <= 40 ? s : s[..40] + "…";

    /// <summary>Maps stored label values to class indices; an unknown value fails naming the file, item and value.</summary>
    public int[] ToClasses(byte[] stored, string source)
    {
        var classes = new int[stored.Length];
        for (int i = 0; i < stored.Length; i++)
        {
            int c = _classOfValue[stored[i]];
            if (c < 0)
                throw new InvalidDataException(
                    $"{source}: label {stored[i]} of item {i} is not one of the {ClassCount} classes (stored values {DescribeValues()}).");
            classes[i] = c;
        }
        return classes;
    }

    private string DescribeValues()
    {
        int min = StoredValues.Min(), max = StoredValues.Max();
        return max - min == StoredValues.Count - 1 ? $"{min}..{max}" : string.Join(", ", StoredValues);
    }
}
