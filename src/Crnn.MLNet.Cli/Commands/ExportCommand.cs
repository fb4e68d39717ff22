using System.CommandLine;
using Crnn.MLNet.Training.Export;

namespace Crnn.MLNet.Cli.Commands;

/// <summary><c>crnn export</c>: writes a checkpoint's best weights as a standard ONNX model.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint written by 'crnn train' or 'crnn train-lines' (checkpoint.ckpt).", Required = true };
        var output = new Option<string>("--out") { Description = "ONNX file to write (with --fine-tuning-seed: the checkpoint).", Required = true };
        var seedCheckpoint = new Option<bool>("--fine-tuning-seed") { Description = "Write a compact line checkpoint (run state and best weights, no optimiser state) that 'crnn train-lines --init-from' fine-tunes, instead of ONNX." };
        var command = new Command("export", "Export a training checkpoint (best weights) to ONNX, with labels and preprocessing in its metadata.")
        {
            checkpoint, output, seedCheckpoint,
        };
        command.SetAction((Func<ParseResult, int>)(parse =>
        {
            string ckpt = parse.GetValue(checkpoint)!;
            string outPath = parse.GetValue(output)!;
            var ui = new ConsoleProgress(parse.InvocationConfiguration.Error);
            BackendCalibration.InitializeTorch(parse.InvocationConfiguration.Error);
            // A line checkpoint exports as a line (CTC) model, a classifier's as a classifier.
            bool lines = Training.Lines.LineCheckpoint.IsLineCheckpoint(ckpt);
            if (parse.GetValue(seedCheckpoint))
            {
                if (!lines)
                    throw new CliUsageException($"{ckpt}: --fine-tuning-seed needs a line checkpoint (from 'crnn train-lines'); a classifier's checkpoint seeds a line model as it is.");
                Training.Lines.LineCheckpoint.SaveFineTuningSeed(ckpt, outPath);
                parse.InvocationConfiguration.Output.WriteLine($"Wrote {outPath} ({new FileInfo(outPath).Length:N0} bytes): a fine-tuning seed for 'crnn train-lines --init-from'.");
                return 0;
            }
            ui.Run($"Exporting {ckpt}", report =>
            {
                var progress = new SyncProgress<CrnnExportProgress>(p => report(p.Fraction, p.Stage, false));
                return lines ? ModelExport.ExportLinesFromCheckpoint(ckpt, outPath, progress) : ModelExport.ExportFromCheckpoint(ckpt, outPath, progress);
            });
            parse.InvocationConfiguration.Output.WriteLine($"Wrote {outPath} ({new FileInfo(outPath).Length:N0} bytes, ONNX opset {CrnnOnnxExporter.OpsetVersion}).");
            return 0;
        }));
        return command;
    }
}
