using System.CommandLine;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>Options several commands share, so they read the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string> Dataset() => new("--dataset")
    {
        Description = "Dataset name (mnist, emnist-balanced, emnist-digits, emnist-letters, emnist-byclass, emnist-bymerge, fashion-mnist) or a path to a dataset folder.",
        Required = true,
    };

    public static Option<string?> DataDir() => new("--data")
    {
        Description = "Folder holding the dataset files, or a parent with one folder per dataset (default: $CRNN_DATA_DIR, then the user cache, then download).",
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
}
