using System.CommandLine;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>Options several commands share, so they read the same everywhere.</summary>
internal static class CommonOptions
{
    /// <summary><c>--dataset NAME|PATH</c>, shared by every command that reads a dataset.</summary>
    public static Option<string> Dataset() => new("--dataset", "-d")
    {
        Description = $"Dataset name ({string.Join(", ", DatasetCatalog.Names)}) or path to a folder of IDX files.",
        Required = true,
    };

    /// <summary><c>--data DIR</c>, shared by every command that reads a dataset.</summary>
    public static Option<string?> DataDir() => new("--data")
    {
        Description = "Folder holding the dataset files, or one folder per dataset (mnist/, fashion-mnist/, emnist/). " +
                      $"Default: ${DatasetLoader.DataDirEnvironmentVariable}, then the download cache, then a download.",
    };

    /// <summary><c>--mapping FILE</c>: the classes' names, for datasets whose source does not name them.</summary>
    public static Option<string?> Mapping() => new("--mapping")
    {
        Description = "Mapping file naming the classes ('class-index code-point' or 'class-index label', UTF-8), used instead of the " +
                      "dataset's own mapping.txt (e.g. models/tifinagh-mapping.txt for the Tifinagh-MNIST set).",
    };

    /// <summary>Parses "32,64,128"; a bad list is a usage error naming the option.</summary>
    public static int[] ParseIntList(string text, string optionName)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out values[i]))
                throw new CliUsageException($"{optionName}: '{parts[i]}' is not an integer (expected a comma-separated list such as 32,64,128).");
        if (values.Length == 0) throw new CliUsageException($"{optionName}: expected a comma-separated list of integers, got '{text}'.");
        return values;
    }

    /// <summary>A file-name-safe form of a dataset name.</summary>
    public static string SafeName(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'));

    /// <summary><c>--cleanup default|none|flatten|central|all</c>: the character clean-up of real crops.</summary>
    public static Option<string> Cleanup() => new("--cleanup")
    {
        Description = "Clean-up of real crops before framing: default (= central: keep the central ink, drop neighbours' fragments and specks), none, flatten (the background), central, or all (flatten and central).",
        DefaultValueFactory = _ => "default",
    };

    public static Imaging.CharacterCleanup ParseCleanup(string value) => value switch
    {
        "default" => Imaging.CharacterCleanup.Default,
        "none" => Imaging.CharacterCleanup.None,
        "flatten" => Imaging.CharacterCleanup.FlattenBackground,
        "central" => Imaging.CharacterCleanup.KeepCentralInk,
        "all" => Imaging.CharacterCleanup.All,
        _ => throw new CliUsageException($"--cleanup must be default, none, flatten, central or all, got '{value}'."),
    };

    /// <summary><c>--cleanup default|none|all|borders,rules,text</c>: the clean-up of real line crops.</summary>
    public static Option<string> LineCleanup() => new("--cleanup")
    {
        Description = "Clean-up of real line crops: default, none, all, or a comma-separated list of borders (scanner borders), rules (ruling lines), text (locate the writing), deskew (level a sloping line) and deslant (stand leaning writing upright).",
        DefaultValueFactory = _ => "default",
    };

    public static Imaging.LineCleanup ParseLineCleanup(string value)
    {
        if (value == "default") return Transforms.CrnnTextDefaults.Cleanup;
        if (value == "none") return Imaging.LineCleanup.None;
        if (value == "all") return Imaging.LineCleanup.All;
        var steps = Imaging.LineCleanup.None;
        foreach (var step in value.Split(','))
            steps |= step switch
            {
                "borders" => Imaging.LineCleanup.RemoveBorders,
                "rules" => Imaging.LineCleanup.RemoveRulingLines,
                "text" => Imaging.LineCleanup.LocateText,
                "deskew" => Imaging.LineCleanup.Deskew,
                "deslant" => Imaging.LineCleanup.Deslant,
                _ => throw new CliUsageException($"--cleanup must be default, none, all or a comma-separated list of borders, rules, text, deskew and deslant, got '{value}'."),
            };
        return steps;
    }
}
