using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Model;
using Crnn.MLNet.Training.Training;

namespace Crnn.MLNet.Cli.Commands;

/// <summary><c>crnn train</c>: trains a CRNN, writes checkpoint, history, plots, summary and the ONNX model.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var dataset = CommonOptions.Dataset();
        var data = CommonOptions.DataDir();
        var mapping = CommonOptions.Mapping();
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs.", DefaultValueFactory = _ => TrainingOptions.Defaults.Epochs };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => TrainingOptions.Defaults.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => TrainingOptions.Defaults.LearningRate };
        var seed = new Option<int>("--seed") { Description = "Seed for split, initialisation, shuffling, augmentation and dropout.", DefaultValueFactory = _ => TrainingOptions.Defaults.Seed };
        var valFraction = new Option<double>("--val-fraction") { Description = "Share of the training set held out for validation (stratified).", DefaultValueFactory = _ => TrainingOptions.Defaults.ValidationFraction };
        var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without a better validation loss.", DefaultValueFactory = _ => TrainingOptions.Defaults.Patience };
        var limit = new Option<int?>("--limit") { Description = "Train on the first N training images only (quick runs)." };
        var output = new Option<string>("--out") { Description = "Output folder (default: runs/<dataset>).", };
        var resume = new Option<bool>("--resume") { Description = "Continue the interrupted run in --out (same arguments as the original run)." };
        var optimizer = new Option<OptimizerKind>("--optimizer") { Description = "adam or adamw.", DefaultValueFactory = _ => OptimizerKind.Adam };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Weight decay.", DefaultValueFactory = _ => TrainingOptions.Defaults.WeightDecay };
        var schedule = new Option<LearningRateScheduleKind>("--schedule") { Description = "cosine (with warm-up), onecycle or constant.", DefaultValueFactory = _ => LearningRateScheduleKind.Cosine };
        var warmup = new Option<double>("--warmup-epochs") { Description = "Warm-up length for the cosine schedule.", DefaultValueFactory = _ => TrainingOptions.Defaults.WarmupEpochs };
        var smoothing = new Option<double>("--label-smoothing") { Description = "Label smoothing for the cross-entropy.", DefaultValueFactory = _ => TrainingOptions.Defaults.LabelSmoothing };
        var clip = new Option<double>("--clip") { Description = "Gradient clipping by global norm (0: off).", DefaultValueFactory = _ => TrainingOptions.Defaults.GradientClipNorm };
        var arch = new Option<string>("--arch")
        {
            Description = "standard (conv 32-64-128 x2, BiLSTM 128) or compact (conv 16-32-64 x2, BiLSTM 64: a quarter of the multiply-adds); --widths and --hidden override it.",
            DefaultValueFactory = _ => "standard",
        };
        arch.AcceptOnlyFromAmong("standard", "compact");
        var widths = new Option<string>("--widths") { Description = "Channels of the conv blocks, comma-separated.", DefaultValueFactory = _ => string.Join(",", CrnnArchitecture.Defaults.Widths) };
        var convs = new Option<int>("--convs-per-block") { Description = "3x3 convolutions per block.", DefaultValueFactory = _ => CrnnArchitecture.Defaults.ConvsPerBlock };
        var recurrent = new Option<RecurrentKind>("--recurrent") { Description = "lstm or gru (bidirectional).", DefaultValueFactory = _ => CrnnArchitecture.Defaults.Recurrent };
        var hidden = new Option<int>("--hidden") { Description = "Recurrent hidden size per direction.", DefaultValueFactory = _ => CrnnArchitecture.Defaults.RecurrentHidden };
        var layers = new Option<int>("--recurrent-layers") { Description = "Stacked recurrent layers.", DefaultValueFactory = _ => CrnnArchitecture.Defaults.RecurrentLayers };
        var dropout = new Option<double>("--dropout") { Description = "Dropout before the classifier.", DefaultValueFactory = _ => CrnnArchitecture.Defaults.Dropout };
        var convDropout = new Option<double>("--conv-dropout") { Description = "Spatial dropout after each conv block.", DefaultValueFactory = _ => CrnnArchitecture.Defaults.ConvDropout };
        var rotation = new Option<double>("--rotation") { Description = "Augmentation: max rotation, degrees.", DefaultValueFactory = _ => AugmentationOptions.Defaults.RotationDegrees };
        var scale = new Option<double>("--scale") { Description = "Augmentation: max relative scale change.", DefaultValueFactory = _ => AugmentationOptions.Defaults.Scale };
        var shift = new Option<double>("--shift") { Description = "Augmentation: max shift, pixels.", DefaultValueFactory = _ => AugmentationOptions.Defaults.ShiftPixels };
        var shear = new Option<double>("--shear") { Description = "Augmentation: max shear factor.", DefaultValueFactory = _ => AugmentationOptions.Defaults.Shear };
        var realCrops = new Option<double>("--real-crops") { Description = "Share of training images (0 to 1) replaced by scanned-looking crops of the same character (larger, dark on paper, neighbours cut by the crop's edge, specks, printed lines), read back through the inference library's normaliser with its default clean-up.", DefaultValueFactory = _ => 0.0 };
        var elastic = new Option<double>("--elastic") { Description = "Augmentation: elastic distortion strength, pixels (0: off).", DefaultValueFactory = _ => AugmentationOptions.Defaults.ElasticAlpha };
        var noAugment = new Option<bool>("--no-augment") { Description = "Turn augmentation off." };
        var threads = new Option<int?>("--threads") { Description = "LibTorch threads (default: all cores)." };
        var noExport = new Option<bool>("--no-export") { Description = "Do not write model.onnx at the end." };

        var command = new Command("train", "Train a CRNN on a dataset; writes checkpoint, history.json, plots, summary.json and model.onnx.")
        {
            dataset, data, mapping, epochs, batchSize, lr, seed, valFraction, patience, limit, output, resume, optimizer, weightDecay, schedule,
            warmup, smoothing, clip, arch, widths, convs, recurrent, hidden, layers, dropout, convDropout, rotation, scale, shift, shear,
            elastic, realCrops, noAugment, threads, noExport,
        };
        command.SetAction((Func<ParseResult, int>)(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            BackendCalibration.InitializeTorch(stderr);
            var augmentation = parse.GetValue(noAugment) ? AugmentationOptions.None : new AugmentationOptions(
                parse.GetValue(rotation), parse.GetValue(scale), parse.GetValue(shift), parse.GetValue(shear), parse.GetValue(elastic));
            augmentation = augmentation with { RealCrops = parse.GetValue(realCrops) };
            var options = new TrainingOptions(parse.GetValue(epochs), parse.GetValue(batchSize), parse.GetValue(lr), parse.GetValue(optimizer),
                parse.GetValue(weightDecay), parse.GetValue(schedule), parse.GetValue(warmup), parse.GetValue(smoothing), parse.GetValue(clip),
                parse.GetValue(valFraction), parse.GetValue(patience), parse.GetValue(seed), augmentation, parse.GetValue(limit), parse.GetValue(threads));
            // A preset fills in what the command line does not say explicitly.
            bool compact = parse.GetValue(arch) == "compact";
            bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
            int[] widthList = compact && !Given(widths) ? CrnnArchitecture.Compact.Widths
                : CommonOptions.ParseIntList(parse.GetValue(widths)!, "--widths");
            int hiddenSize = compact && !Given(hidden) ? CrnnArchitecture.Compact.RecurrentHidden : parse.GetValue(hidden);

            var request = new DatasetRequest(parse.GetValue(dataset)!, parse.GetValue(data), MappingPath: parse.GetValue(mapping));
            var progressUi = new ConsoleProgress(stderr);
            var trainSet = progressUi.Run($"Loading {request.NameOrPath} (train)", _ => DatasetLoader.Load(request, DatasetSplit.Train));
            CharacterDataset? testSet = DatasetLoader.TryLoad(request, DatasetSplit.Test);
            var architecture = new CrnnArchitecture(trainSet.ClassCount, widthList, parse.GetValue(convs), parse.GetValue(recurrent),
                hiddenSize, parse.GetValue(layers), parse.GetValue(convDropout), parse.GetValue(dropout), trainSet.Height, trainSet.Width);
            string outDir = parse.GetValue(output) ?? Path.Combine("runs", CommonOptions.SafeName(trainSet.Name));

            stderr.WriteLine($"Model: {architecture}; {architecture.MultiplyAccumulates() / 1e6:F1} M multiply-accumulates per image.");
            var result = progressUi.Run($"Training on {trainSet.Name}", report =>
                new CrnnTrainer(options, architecture).Train(trainSet, testSet, outDir, parse.GetValue(resume),
                    new SyncProgress<TrainingProgress>(p => report(TrainingFraction.Of(p.Phase, p.Epoch, p.Batch, p.Batches, options.Epochs), Describe(p), p.Phase is TrainingPhase.EpochEnd or TrainingPhase.Done))));

            string? onnx = null;
            if (!parse.GetValue(noExport))
                onnx = ModelExport.ExportFromResult(result, Path.Combine(outDir, "model.onnx"));
            var s = result.Summary;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Trained {s.Architecture} ({s.Parameters:N0} parameters) on {s.TrainImages:N0} images, validated on {s.ValidationImages:N0}."));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Best epoch {s.BestEpoch}/{s.EpochsRun}{(s.StoppedEarly ? " (stopped early)" : "")}: validation accuracy {s.ValidationAccuracy:P2}, loss {s.BestValidationLoss:F4}."));
            if (s.TestAccuracy is double t)
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test accuracy {t:P2} (macro {s.TestMacroAccuracy:P2}) on {s.TestImages:N0} images."));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Time {TimeSpan.FromSeconds(s.TrainingSeconds):hh\\:mm\\:ss}, {s.TrainImagesPerSecond:F0} training images/s ({s.ComputeFraction:P0} of it in forward/backward/step)."));
            stdout.WriteLine($"Output: {outDir}{(onnx is null ? "" : $" (model: {onnx})")}");
            return 0;
        }));
        return command;
    }

    private static string Describe(TrainingProgress p) => p.Phase switch
    {
        TrainingPhase.Train => string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches} loss {p.Loss:F4} acc {p.Accuracy:P2} {p.ImagesPerSecond:F0} img/s left ~{p.Remaining:hh\\:mm\\:ss}"),
        TrainingPhase.Validate => string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.Epochs} validating {p.Batch}/{p.Batches}"),
        TrainingPhase.Test => string.Create(CultureInfo.InvariantCulture, $"testing {p.Batch}/{p.Batches}"),
        TrainingPhase.EpochEnd when p.Record is { } r => string.Create(CultureInfo.InvariantCulture,
            $"epoch {r.Epoch}/{p.Epochs}: train loss {r.TrainLoss:F4} acc {r.TrainAccuracy:P2} | val loss {r.ValidationLoss:F4} acc {r.ValidationAccuracy:P2}{(r.Improved ? " *" : "")} | lr {r.LearningRate:G3} | {r.ImagesPerSecond:F0} img/s | {r.Seconds:F0} s"),
        TrainingPhase.Done => string.Create(CultureInfo.InvariantCulture, $"done: loss {p.Loss:F4} accuracy {p.Accuracy:P2}"),
        _ => p.Phase.ToString(),
    };
}
