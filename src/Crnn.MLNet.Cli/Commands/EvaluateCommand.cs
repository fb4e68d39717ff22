using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Training;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// <c>crnn evaluate [--model MODEL.onnx] --dataset NAME|FOLDER [--split test] [--data DIR] [--json] [--plot FILE.png]</c>:
/// ML.NET's multiclass metrics of the model on a dataset split (labels matched by text), and the confusion matrix.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = $"The CRNN ONNX model (default: {ModelLocator.DefaultRelativePath} under the current directory or beside crnn)." };
        var dataset = CommonOptions.Dataset();
        var split = new Option<DatasetSplit>("--split") { Description = "Which split to evaluate on.", DefaultValueFactory = _ => DatasetSplit.Test };
        var data = CommonOptions.DataDir();
        var mapping = CommonOptions.Mapping();
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables." };
        var plot = new Option<string?>("--plot") { Description = "Also write the confusion matrix as a PNG image." };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N images." };
        var batch = new Option<int>("--batch-size") { Description = "Images per ONNX Runtime run.", DefaultValueFactory = _ => 256 };
        var heldOut = new Option<bool>("--held-out")
        {
            Description = "Evaluate on the images 'crnn train' held out of the training split for validation (stratified by class), " +
                          "for datasets without a test split; --val-fraction and --seed must be the training run's.",
        };
        var valFraction = new Option<double>("--val-fraction") { Description = "With --held-out: the training run's --val-fraction.", DefaultValueFactory = _ => TrainingOptions.Defaults.ValidationFraction };
        var seed = new Option<int>("--seed") { Description = "With --held-out: the training run's --seed.", DefaultValueFactory = _ => TrainingOptions.Defaults.Seed };
        var merge = new Option<string[]>("--merge")
        {
            Description = "Also report the accuracy with a group of look-alike labels counted as one, e.g. --merge \"O 0\" --merge \"I 1 L\" (repeatable).",
        };
        var command = new Command("evaluate", "Measure a model's accuracy on a dataset with ML.NET's multiclass evaluator.")
        {
            model, dataset, split, data, mapping, json, plot, limit, batch, heldOut, valFraction, seed, merge,
        };
        command.SetAction((Func<ParseResult, int>)(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            bool terminal = !Console.IsErrorRedirected && ReferenceEquals(stderr, Console.Error);
            void Progress(string message)
            {
                if (terminal) stderr.Write($"\revaluate: {message}   ");
                else stderr.WriteLine($"evaluate: {message}");
            }
            string modelPath = ModelLocator.Resolve(parse.GetValue(model));
            if (parse.GetValue(limit) is <= 0) throw new CliUsageException("--limit must be positive.");
            int batchSize = parse.GetValue(batch);
            if (batchSize is < 1 or > 4096) throw new CliUsageException($"--batch-size must be in 1..4096, got {batchSize}.");
            bool useHeldOut = parse.GetValue(heldOut);
            var splitValue = useHeldOut ? DatasetSplit.Train : parse.GetValue(split);
            var request = new DatasetRequest(parse.GetValue(dataset)!, parse.GetValue(data), MappingPath: parse.GetValue(mapping));
            var loaded = DatasetLoader.Load(request, splitValue,
                new Progress<DataProgress>(p => Progress($"{p.Stage.ToString().ToLowerInvariant()} {p.Item}")));
            string splitName = splitValue.ToString().ToLowerInvariant();
            if (useHeldOut)
            {
                // The same stratified split as CrnnTrainer makes, so these images were never trained on.
                var (_, validation) = StratifiedSplit.Split(loaded.Labels, parse.GetValue(valFraction), parse.GetValue(seed));
                loaded = loaded.Subset(validation);
                splitName = "held-out";
            }
            if (parse.GetValue(limit) is int n) loaded = loaded.Take(n);
            var report = DatasetEvaluation.Run(modelPath, loaded, splitName, batchSize, Progress);
            if (terminal) stderr.WriteLine();
            var groups = parse.GetValue(merge) is { Length: > 0 } given ? given : [];
            var merged = groups.Length == 0 ? null
                : new Merged(groups, MergedAccuracy.Compute(report.Confusion, MergedAccuracy.ParseGroups(groups, report.Labels)));
            if (parse.GetValue(json)) WriteJson(stdout, report, merged);
            else WriteText(stdout, report, merged);
            if (parse.GetValue(plot) is { } png)
            {
                var font = ConfusionPlot.Write(report, png);
                if (font.Warning is not null) stderr.WriteLine($"evaluate: warning: {font.Warning}");
                stderr.WriteLine($"evaluate: confusion matrix written to {png} (labels in {font.Family})");
            }
            return 0;
        }));
        return command;
    }

    private static string F(double v) => double.IsNaN(v) ? "NaN" : v.ToString("F4", CultureInfo.InvariantCulture);

    private sealed record Merged(string[] Groups, double Accuracy);

    private static void WriteText(TextWriter o, EvaluationReport r, Merged? merged)
    {
        o.WriteLine($"model           {r.Model}");
        o.WriteLine($"dataset         {r.Dataset} ({r.Split}), {r.Count} images");
        o.WriteLine($"micro-accuracy  {F(r.MicroAccuracy)}");
        if (merged is not null) o.WriteLine($"merged          {F(merged.Accuracy)}  (groups: {string.Join(" | ", merged.Groups)})");
        o.WriteLine($"macro-accuracy  {F(r.MacroAccuracy)}");
        o.WriteLine($"log-loss        {F(r.LogLoss)}");
        o.WriteLine();
        int w = Math.Max(5, r.Labels.Max(l => l.Length));
        o.WriteLine($"{"label".PadRight(w)}  precision  recall  count");
        for (int i = 0; i < r.Labels.Count; i++)
            o.WriteLine($"{r.Labels[i].PadRight(w)}  {F(r.Precision[i]),9}  {F(r.Recall[i]),6}  {r.Support[i],5}");
        o.WriteLine();
        o.WriteLine("confusion matrix (rows: actual, columns: predicted)");
        int cw = Math.Max(w, r.Confusion.SelectMany(x => x).DefaultIfEmpty(0).Max().ToString(CultureInfo.InvariantCulture).Length);
        o.WriteLine(string.Join(' ', r.Labels.Select(l => l.PadLeft(cw)).Prepend(new string(' ', w))));
        for (int i = 0; i < r.Labels.Count; i++)
            o.WriteLine(string.Join(' ', r.Confusion[i].Select(c => c.ToString(CultureInfo.InvariantCulture).PadLeft(cw)).Prepend(r.Labels[i].PadRight(w))));
    }

    private static void WriteJson(TextWriter o, EvaluationReport r, Merged? merged)
    {
        static double? N(double v) => double.IsFinite(v) ? Math.Round(v, 6) : null;
        var obj = new
        {
            model = r.Model,
            dataset = r.Dataset,
            split = r.Split,
            count = r.Count,
            microAccuracy = N(r.MicroAccuracy),
            mergedAccuracy = merged is null ? null : N(merged.Accuracy),
            mergedGroups = merged?.Groups,
            macroAccuracy = N(r.MacroAccuracy),
            logLoss = N(r.LogLoss),
            logLossReduction = N(r.LogLossReduction),
            labels = r.Labels,
            perClass = r.Labels.Select((l, i) => new { label = l, precision = N(r.Precision[i]), recall = N(r.Recall[i]), count = r.Support[i] }),
            confusion = r.Confusion,
        };
        o.WriteLine(JsonSerializer.Serialize(obj, CliJson.Serializer));
    }
}
