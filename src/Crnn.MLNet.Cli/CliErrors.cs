using Crnn.MLNet.Training.Training;

namespace Crnn.MLNet.Cli;

/// <summary>Turns the exceptions a user can provoke into one-line messages and exit codes.</summary>
internal static class CliErrors
{
    public const int Failure = 1;
    public const int Usage = 2;

    public static bool IsUserError(Exception e) => e is IOException or UnauthorizedAccessException or InvalidDataException
        or ArgumentException or InvalidOperationException or FormatException or NotSupportedException
        or PlatformNotSupportedException or CliUsageException or OperationCanceledException or System.Net.Http.HttpRequestException
        or TrainingDivergedException;

    public static int ExitCode(Exception e) => e is CliUsageException or ArgumentException ? Usage : Failure;

    /// <summary>The innermost message that says something, on one line.</summary>
    public static string Describe(Exception e)
    {
        string message = e.Message;
        // Wrappers such as TypeInitializationException hide the useful message inside.
        while (e.InnerException is not null && (string.IsNullOrWhiteSpace(message) || e is AggregateException or TypeInitializationException))
        {
            e = e.InnerException;
            message = e.Message;
        }
        return message.ReplaceLineEndings(" ").Trim();
    }

    /// <summary>All parse errors of a command line on one line, with a pointer to the command's help.</summary>
    public static string DescribeParseErrors(System.CommandLine.ParseResult parse)
    {
        string errors = string.Join(" ", parse.Errors.Select(e => e.Message.ReplaceLineEndings(" ").Trim()));
        var names = new List<string>();
        for (var c = parse.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
            if (c.Parent is not null) names.Insert(0, c.Command.Name);
        return $"{errors} (see 'crnn {string.Join(" ", names.Append("--help"))}')";
    }
}

/// <summary>A wrong combination of arguments, found after parsing.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
