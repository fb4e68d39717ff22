using System.CommandLine;
using Crnn.MLNet.Cli.Commands;

namespace Crnn.MLNet.Cli;

/// <summary>The <c>crnn</c> command line: one sub-command per file under <c>Commands/</c>.</summary>
public static class CrnnCli
{
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("crnn: train, export, evaluate and run CRNN handwriting recognisers.");
        foreach (var command in CommandRegistry.All())
            root.Subcommands.Add(command);
        return root;
    }

    /// <summary>Runs the CLI; returns the process exit code. Errors are one line on stderr.</summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var config = new InvocationConfiguration
        {
            Output = stdout ?? Console.Out,
            Error = stderr ?? Console.Error,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            var parse = BuildRootCommand().Parse(args);
            // System.CommandLine would print every parse error plus the whole help text; keep errors to one line.
            if (parse.Errors.Count > 0)
            {
                config.Error.WriteLine($"crnn: error: {CliErrors.DescribeParseErrors(parse)}");
                return CliErrors.Usage;
            }
            return parse.Invoke(config);
        }
        catch (Exception e) when (CliErrors.IsUserError(e))
        {
            config.Error.WriteLine($"crnn: error: {CliErrors.Describe(e)}");
            return CliErrors.ExitCode(e);
        }
    }
}
