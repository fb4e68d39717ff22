using System.Globalization;
using System.Text;

namespace Crnn.MLNet.Training.Data;

/// <summary>
/// The label a class folder of an image-folder dataset stands for. A folder is named by its label (any Unicode text,
/// read as NFC), or, where a file system or a tool handles such names badly, by its code points:
/// <c>U+2D30</c>, <c>U+0915_U+094D</c> (several joined by <c>_</c>).
/// </summary>
public static class ClassFolderName
{
    /// <summary>The label of a folder name.</summary>
    /// <exception cref="InvalidDataException">A <c>U+</c> name that is not a list of valid code points.</exception>
    public static string ToLabel(string folderName, string folderPath)
    {
        ArgumentNullException.ThrowIfNull(folderName);
        if (!folderName.StartsWith("U+", StringComparison.OrdinalIgnoreCase)) return folderName.Normalize(NormalizationForm.FormC);
        var text = new StringBuilder();
        foreach (string part in folderName.Split('_'))
        {
            if (part.Length < 6 || part.Length > 8 || !part.StartsWith("U+", StringComparison.OrdinalIgnoreCase)
                || !int.TryParse(part.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code)
                || code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF || code < 0x20)
                throw new InvalidDataException($"{folderPath}: a class folder named 'U+…' must list code points such as U+2D30 or U+0915_U+094D, got '{folderName}'.");
            text.Append(char.ConvertFromUtf32(code));
        }
        return text.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>A folder name for a label: the label itself when it is a safe file name, else its code points (<c>U+…</c>).</summary>
    public static string ForLabel(string label)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        bool safe = !label.StartsWith("U+", StringComparison.OrdinalIgnoreCase) && label != "." && label != ".."
            && label.EnumerateRunes().All(r => !Rune.IsControl(r) && !Rune.IsWhiteSpace(r) && r.Value is not ('/' or '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|'));
        return safe ? label : string.Join("_", label.EnumerateRunes().Select(r => $"U+{r.Value:X4}"));
    }
}
