using System.CommandLine;

namespace Crnn.MLNet.Cli.Commands;

/// <summary><c>crnn data info</c>: where a dataset's files are, and its counts per split and class.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var data = new Command("data", "Inspect datasets.");
        var info = new Command("info", "Show where a dataset's files were found and its counts per split and per class.");
        data.Subcommands.Add(info);
        info.SetAction((Func<ParseResult, int>)(_ => throw new NotImplementedException("data info")));
        return data;
    }
}
