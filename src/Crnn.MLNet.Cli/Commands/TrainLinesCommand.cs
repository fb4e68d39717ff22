using System.CommandLine;
using System.Globalization;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Lines;
using Crnn.MLNet.Training.Model;
using Crnn.MLNet.Training.Training;

namespace Crnn.MLNet.Cli.Commands;

/// <summary><c>crnn train-lines</c>: trains a CRNN line recogniser with CTC on lines synthesised from a character dataset.</summary>
internal static class TrainLinesCommand
{
    public static Command Create()
    {
        var dataset = CommonOptions.Dataset();
        var data = CommonOptions.DataDir();
        var mapping = CommonOptions.Mapping();
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs.", DefaultValueFactory = _ => LineTrainingOptions.Defaults.Epochs };
        var linesPerEpoch = new Option<int>("--lines-per-epoch") { Description = "Freshly synthesised training lines per epoch.", DefaultValueFactory = _ => LineTrainingOptions.Defaults.LinesPerEpoch };
        var batchSize = new Option<int>("--batch-size") { Description = "Lines per step.", DefaultValueFactory = _ => LineTrainingOptions.Defaults.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => LineTrainingOptions.Defaults.LearningRate };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Weight decay.", DefaultValueFactory = _ => LineTrainingOptions.Defaults.WeightDecay };
        var schedule = new Option<LearningRateScheduleKind>("--schedule") { Description = "cosine (with warm-up), onecycle or constant.", DefaultValueFactory = _ => LearningRateScheduleKind.Cosine };
        var seed = new Option<int>("--seed") { Description = "Seed for split, initialisation and line synthesis.", DefaultValueFactory = _ => LineTrainingOptions.Defaults.Seed };
        var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without a better validation loss.", DefaultValueFactory = _ => LineTrainingOptions.Defaults.Patience };
        var text = new LineTextOptions();
        var validationLines = new Option<int>("--val-lines") { Description = "Fixed validation lines (from held-out characters).", DefaultValueFactory = _ => LineTrainingOptions.Defaults.ValidationLines };
        var testLines = new Option<int>("--test-lines") { Description = "Fixed test lines from the test split, scored at the end (0: none).", DefaultValueFactory = _ => LineTrainingOptions.Defaults.TestLines };
        var testSeed = new Option<int>("--test-seed") { Description = "Seed of the fixed test lines (as 'crnn make-lines').", DefaultValueFactory = _ => LineTrainingOptions.Defaults.TestSeed };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N character images of the training split (quick runs)." };
        var initFrom = new Option<string?>("--init-from") { Description = "Checkpoint of the same dataset that seeds the model: a classifier's (CNN and recurrent weights) or a line model's (all weights, to fine-tune; keep its --seed, which also draws the train/validation split)." };
        var widths = new Option<string>("--widths") { Description = "Channels of the conv blocks, comma-separated.", DefaultValueFactory = _ => string.Join(",", CrnnArchitecture.Defaults.Widths) };
        var recurrent = new Option<RecurrentKind>("--recurrent") { Description = "lstm or gru (bidirectional).", DefaultValueFactory = _ => CrnnArchitecture.Defaults.Recurrent };
        var hidden = new Option<int>("--hidden") { Description = "Recurrent hidden size per direction.", DefaultValueFactory = _ => CrnnArchitecture.Defaults.RecurrentHidden };
        var layers = new Option<int>("--recurrent-layers") { Description = "Stacked recurrent layers.", DefaultValueFactory = _ => CrnnArchitecture.Defaults.RecurrentLayers };
        var output = new Option<string>("--out") { Description = "Output folder (default: runs/<dataset>-lines)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the interrupted run in --out (same arguments as the original run)." };
        var threads = new Option<int?>("--threads") { Description = "LibTorch threads (default: all cores)." };
        var noExport = new Option<bool>("--no-export") { Description = "Do not write model.onnx at the end." };
        var ownLines = new Option<string?>("--lines") { Description = "Fine-tune on your own labelled lines: a folder with labels.tsv (as 'crnn make-lines' writes) and, if the lines come from several pages or writers, pages.tsv (image<TAB>page). Whole pages are held out for validation (--seed draws them); use with --init-from." };
        var ownShare = new Option<double>("--own-share") { Description = "With --lines: share of training lines (0 to 1] taken from your lines; the rest are synthesised, so that the model keeps what it knew.", DefaultValueFactory = _ => OwnLineSet.DefaultShare };
        var ownLimit = new Option<int?>("--own-limit") { Description = "With --lines: train on only this many of your training lines (to see what fewer labelled lines give)." };
        var realism = new Option<double>("--realism") { Description = "Share of training and validation lines (0 to 1) made to look like scanned crops (paper, ruling lines, neighbours' strokes, specks, unlabelled punctuation) and read through the inference library's line clean-up. Test lines stay clean.", DefaultValueFactory = _ => LineSynthesisOptions.Defaults.Realism };

        var command = new Command("train-lines", "Train a CRNN line recogniser (CTC) on lines synthesised from a character dataset; writes checkpoint, history.json, summary.json and model.onnx.")
        {
            dataset, data, mapping, epochs, linesPerEpoch, batchSize, lr, weightDecay, schedule, seed, patience, validationLines,
            testLines, testSeed, limit, initFrom, widths, recurrent, hidden, layers, output, resume, threads, noExport, realism,
            ownLines, ownShare, ownLimit,
        };
        foreach (var option in text.All) command.Options.Add(option);
        command.SetAction((Func<ParseResult, int>)(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            BackendCalibration.InitializeTorch(stderr);
            var synthesis = text.Synthesis(parse, parse.GetValue(realism));
            var options = new LineTrainingOptions(parse.GetValue(epochs), parse.GetValue(linesPerEpoch), parse.GetValue(batchSize),
                parse.GetValue(lr), parse.GetValue(weightDecay), parse.GetValue(schedule), validationLines: parse.GetValue(validationLines),
                testLines: parse.GetValue(testLines), testSeed: parse.GetValue(testSeed), patience: parse.GetValue(patience),
                seed: parse.GetValue(seed), synthesis: synthesis, limit: parse.GetValue(limit), threads: parse.GetValue(threads));
            int[] widthList = CommonOptions.ParseIntList(parse.GetValue(widths)!, "--widths");

            var request = new DatasetRequest(parse.GetValue(dataset)!, parse.GetValue(data), MappingPath: parse.GetValue(mapping));
            var progressUi = new ConsoleProgress(stderr);
            var trainSet = LineTextOptions.Prepare(progressUi.Run($"Loading {request.NameOrPath} (train)", _ => DatasetLoader.Load(request, DatasetSplit.Train)), synthesis);
            CharacterDataset? testSet = options.TestLines > 0 && DatasetLoader.TryLoad(request, DatasetSplit.Test) is { } test ? LineTextOptions.Prepare(test, synthesis) : null;
            var architecture = new CrnnArchitecture(trainSet.ClassCount + 1, widthList, CrnnArchitecture.Defaults.ConvsPerBlock, parse.GetValue(recurrent),
                parse.GetValue(hidden), parse.GetValue(layers), inputHeight: synthesis.Layout.Height, inputWidth: 32);
            string outDir = parse.GetValue(output) ?? Path.Combine("runs", CommonOptions.SafeName(trainSet.Name) + "-lines");
            OwnLineSet? own = null;
            if (parse.GetValue(ownLines) is string folder)
            {
                own = progressUi.Run($"Reading your lines in {folder}", report => OwnLineSet.Load(folder, trainSet.LabelNames, synthesis.Layout,
                    options.ValidationFraction, options.Seed, parse.GetValue(ownShare), parse.GetValue(ownLimit), new SyncProgress<double>(f => report(f, "", false))));
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Your lines: {own.Training.Count:N0} to train on, {own.Validation.Count:N0} on {own.ValidationPages.Count:N0} held-out pages to validate on{(own.Skipped > 0 ? $"; {own.Skipped:N0} left out (characters outside the model's labels)" : "")}."));
            }
            else if (parse.GetResult(ownShare) is { Implicit: false } || parse.GetValue(ownLimit) is not null)
                throw new CliUsageException("--own-share and --own-limit need --lines (a folder of your own labelled lines).");

            stderr.WriteLine($"Line model: {architecture} (incl. blank); {architecture.MultiplyAccumulates() / 1e6 / 32:F2} M multiply-accumulates per input column.");
            var result = progressUi.Run($"Training lines on {trainSet.Name}", report =>
                new CtcLineTrainer(options, architecture) { OwnLines = own }.Train(trainSet, testSet, outDir, parse.GetValue(resume), parse.GetValue(initFrom),
                    new SyncProgress<LineTrainingProgress>(p => report(TrainingFraction.Of(p.Phase, p.Epoch, p.Batch, p.Batches, options.Epochs), Describe(p), p.Phase is TrainingPhase.EpochEnd or TrainingPhase.Done))));

            string? onnx = null;
            if (!parse.GetValue(noExport))
                onnx = ModelExport.ExportLines(result, Path.Combine(outDir, "model.onnx"));
            var s = result.State;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Trained {s.Architecture} ({result.Model.ParameterCount():N0} parameters) on lines from {s.TrainCharacters:N0} characters, validated on lines from {s.ValidationCharacters:N0}."));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Best epoch {s.BestEpoch}/{s.EpochsCompleted}: validation CER {s.BestValidationCharacterErrorRate:P2}, sequence accuracy {s.BestValidationSequenceAccuracy:P2}, loss {s.BestValidationLoss:F4}."));
            if (s.InitialValidation is { } before)
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Your held-out lines ({before.Lines:N0}, greedy): before CER {before.CharacterErrorRate:P2}, sequence accuracy {before.SequenceAccuracy:P2}; after CER {s.BestValidationCharacterErrorRate:P2}, sequence accuracy {s.BestValidationSequenceAccuracy:P2}."));
            if (s.Test is { } t)
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Test ({t.Lines:N0} fixed lines, greedy): CER {t.CharacterErrorRate:P2}, sequence accuracy {t.SequenceAccuracy:P2}."));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Time {TimeSpan.FromSeconds(s.TrainingSeconds):hh\\:mm\\:ss}."));
            stdout.WriteLine($"Output: {outDir}{(onnx is null ? "" : $" (model: {onnx})")}");
            return 0;
        }));
        return command;
    }

    private static string Describe(LineTrainingProgress p) => p.Phase switch
    {
        TrainingPhase.Train => string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches} loss {p.Loss:F4} {p.LinesPerSecond:F0} lines/s left ~{p.Remaining:hh\\:mm\\:ss}"),
        TrainingPhase.Validate => string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.Epochs} validating {p.Batch}/{p.Batches}"),
        TrainingPhase.Test => string.Create(CultureInfo.InvariantCulture, $"testing {p.Batch}/{p.Batches}"),
        TrainingPhase.EpochEnd when p.Record is { } r => string.Create(CultureInfo.InvariantCulture,
            $"epoch {r.Epoch}/{p.Epochs}: train loss {r.TrainLoss:F4} | val loss {r.ValidationLoss:F4} CER {r.ValidationCharacterErrorRate:P2} seq {r.ValidationSequenceAccuracy:P2}{(r.Improved ? " *" : "")} | lr {r.LearningRate:G3} | {r.LinesPerSecond:F0} lines/s | {r.Seconds:F0} s"),
        TrainingPhase.Done => string.Create(CultureInfo.InvariantCulture, $"done: loss {p.Loss:F4}"),
        _ => p.Phase.ToString(),
    };
}
