using System.CommandLine;
using Crnn.MLNet.Training.Export;

namespace Crnn.MLNet.Cli.Commands;

/// <summary><c>crnn ensemble</c>: joins classifier models into one ONNX model that averages their probabilities.</summary>
internal static class EnsembleCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model")
        {
            Description = "A classifier model (ONNX, written by crnn) to include; give two or more, all with the same labels and input.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--out") { Description = "ONNX file to write.", Required = true };
        var command = new Command("ensemble",
            "Join classifier models with the same labels into one ONNX model whose probabilities are the mean of theirs (more accurate, as slow as the members together).")
        {
            models, output,
        };
        command.SetAction((Func<ParseResult, int>)(parse =>
        {
            string[] members = parse.GetValue(models)!;
            string outPath = parse.GetValue(output)!;
            if (members.Length < 2) throw new CliUsageException($"--model: an ensemble needs at least two models, got {members.Length}.");
            var ui = new ConsoleProgress(parse.InvocationConfiguration.Error);
            ui.Run($"Joining {members.Length} models", report =>
            {
                CrnnOnnxEnsemble.Write(members, outPath, new SyncProgress<CrnnExportProgress>(p => report(p.Fraction, p.Stage, false)));
                return 0;
            });
            parse.InvocationConfiguration.Output.WriteLine($"Wrote {outPath} ({new FileInfo(outPath).Length:N0} bytes): mean of {members.Length} models.");
            return 0;
        }));
        return command;
    }
}
