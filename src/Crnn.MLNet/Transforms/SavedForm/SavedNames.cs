using Crnn.MLNet.Decoding;
using Crnn.MLNet.Imaging;

namespace Crnn.MLNet.Transforms.SavedForm;

/// <summary>
/// The words saved models use for our settings. Written out here, never taken from <c>ToString()</c>: renaming a C#
/// member must not change a saved file, and a saved file must load after such a rename.
/// </summary>
internal static class SavedNames
{
    public static string Of(InkPolarity value) => value switch
    {
        InkPolarity.Auto => "auto",
        InkPolarity.DarkOnLight => "dark-on-light",
        InkPolarity.LightOnDark => "light-on-dark",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "unknown polarity"),
    };

    public static InkPolarity Polarity(string name) => name switch
    {
        "auto" => InkPolarity.Auto,
        "dark-on-light" => InkPolarity.DarkOnLight,
        "light-on-dark" => InkPolarity.LightOnDark,
        _ => throw Unknown("polarity", name),
    };

    public static string Of(CharacterFraming value) => value switch
    {
        CharacterFraming.Fit => "fit",
        CharacterFraming.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "unknown framing"),
    };

    public static CharacterFraming Framing(string name) => name switch
    {
        "fit" => CharacterFraming.Fit,
        "none" => CharacterFraming.None,
        _ => throw Unknown("framing", name),
    };

    public static string Of(BadImageHandling value) => value switch
    {
        BadImageHandling.Throw => "throw",
        BadImageHandling.Skip => "skip",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "unknown bad-image handling"),
    };

    public static BadImageHandling BadImages(string name) => name switch
    {
        "throw" => BadImageHandling.Throw,
        "skip" => BadImageHandling.Skip,
        _ => throw Unknown("bad-image handling", name),
    };

    /// <summary>The steps as a comma-separated list of fixed words, or <c>none</c>.</summary>
    public static string Of(CharacterCleanup value)
    {
        if ((value & ~CharacterCleanup.All) != 0) throw new ArgumentOutOfRangeException(nameof(value), value, "unknown clean-up step");
        var steps = new List<string>();
        if ((value & CharacterCleanup.FlattenBackground) != 0) steps.Add("flatten-background");
        if ((value & CharacterCleanup.KeepCentralInk) != 0) steps.Add("keep-central-ink");
        return steps.Count == 0 ? "none" : string.Join(",", steps);
    }

    public static CharacterCleanup Cleanup(string names)
    {
        if (names == "none") return CharacterCleanup.None;
        var value = CharacterCleanup.None;
        foreach (var name in names.Split(','))
            value |= name switch
            {
                "flatten-background" => CharacterCleanup.FlattenBackground,
                "keep-central-ink" => CharacterCleanup.KeepCentralInk,
                _ => throw Unknown("clean-up step", name),
            };
        return value;
    }

    /// <summary>The line clean-up steps as a comma-separated list of fixed words, or <c>none</c>.</summary>
    public static string Of(LineCleanup value)
    {
        if ((value & ~Imaging.LineCleanup.All) != 0) throw new ArgumentOutOfRangeException(nameof(value), value, "unknown clean-up step");
        var steps = new List<string>();
        if ((value & Imaging.LineCleanup.RemoveBorders) != 0) steps.Add("remove-borders");
        if ((value & Imaging.LineCleanup.RemoveRulingLines) != 0) steps.Add("remove-ruling-lines");
        if ((value & Imaging.LineCleanup.LocateText) != 0) steps.Add("locate-text");
        if ((value & Imaging.LineCleanup.Deskew) != 0) steps.Add("deskew");
        if ((value & Imaging.LineCleanup.Deslant) != 0) steps.Add("deslant");
        return steps.Count == 0 ? "none" : string.Join(",", steps);
    }

    public static LineCleanup LineCleanup(string names)
    {
        if (names == "none") return Imaging.LineCleanup.None;
        var value = Imaging.LineCleanup.None;
        foreach (var name in names.Split(','))
            value |= name switch
            {
                "remove-borders" => Imaging.LineCleanup.RemoveBorders,
                "remove-ruling-lines" => Imaging.LineCleanup.RemoveRulingLines,
                "locate-text" => Imaging.LineCleanup.LocateText,
                "deskew" => Imaging.LineCleanup.Deskew,
                "deslant" => Imaging.LineCleanup.Deslant,
                _ => throw Unknown("line clean-up step", name),
            };
        return value;
    }

    public static string Of(CrnnCtcDecodingMode value) => value switch
    {
        CrnnCtcDecodingMode.Greedy => "greedy",
        CrnnCtcDecodingMode.BeamSearch => "beam-search",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "unknown decoding mode"),
    };

    public static CrnnCtcDecodingMode DecodingMode(string name) => name switch
    {
        "greedy" => CrnnCtcDecodingMode.Greedy,
        "beam-search" => CrnnCtcDecodingMode.BeamSearch,
        _ => throw Unknown("decoding mode", name),
    };

    private static InvalidDataException Unknown(string what, string name) =>
        new($"saved CRNN transform: unknown {what} '{name}' (saved by a newer version of Crnn.MLNet?).");
}
