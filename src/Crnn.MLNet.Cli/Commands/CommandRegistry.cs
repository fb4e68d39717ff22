using System.CommandLine;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>Every sub-command of <c>crnn</c>, in the order <c>--help</c> lists them.</summary>
internal static class CommandRegistry
{
    public static IEnumerable<Command> All()
    {
        yield return TrainCommand.Create();
        yield return TrainLinesCommand.Create();
        yield return MakeLinesCommand.Create();
        yield return ExportCommand.Create();
        yield return EnsembleCommand.Create();
        yield return QuantizeCommand.Create();
        yield return EvaluateCommand.Create();
        yield return EvaluateCropsCommand.Create();
        yield return PredictCommand.Create();
        yield return ReadCommand.Create();
        yield return EvaluateLinesCommand.Create();
        yield return DataCommand.Create();
        yield return ServeCommand.Create();
        yield return BenchCommand.Create();
        yield return ServeBenchCommand.Create();
        yield return InfoCommand.Create();
    }
}
