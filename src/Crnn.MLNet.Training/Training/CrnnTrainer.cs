using System.Diagnostics;
using System.Text.Json;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Model;
using Crnn.MLNet.Training.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Training;

/// <summary>
/// Trains a <see cref="CrnnClassifier"/>: stratified 80/20 train/validation split of the training
/// set, Adam(W) with a learning-rate schedule, cross-entropy with label smoothing, on-the-fly
/// augmentation, early stopping on validation loss (best weights restored), a checkpoint every
/// epoch, and one evaluation on the test set at the end.
/// </summary>
/// <remarks>
/// Reproducible on CPU: the split, the shuffling, augmentation and dropout are all seeded from
/// (seed, epoch), so a resumed run takes exactly the path an uninterrupted one would have.
/// Not thread-safe: one trainer, one run at a time.
/// </remarks>
public sealed class CrnnTrainer
{
    public const string CheckpointFileName = "checkpoint.ckpt";
    public const string HistoryFileName = "history.json";
    public const string SummaryFileName = "summary.json";

    private readonly TrainingOptions options;
    private readonly CrnnArchitecture? requestedArchitecture;

    /// <param name="options">Hyper-parameters.</param>
    /// <param name="architecture">Model shape; null uses the defaults with the dataset's class count.</param>
    public CrnnTrainer(TrainingOptions options, CrnnArchitecture? architecture = null)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        requestedArchitecture = architecture;
    }

    /// <summary>
    /// Runs training and writes checkpoint, history, plots and summary into <paramref name="outputDir"/>.
    /// With <paramref name="resume"/>, continues from the checkpoint there (which must come from
    /// the same dataset, architecture and options).
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss, the gradients or the weights became NaN or infinite; the
    /// checkpoint and history of the last completed epoch are left as they were.</exception>
    public TrainingResult Train(CharacterDataset trainingSet, CharacterDataset? testSet, string outputDir, bool resume = false,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainingSet);
        TorchRuntime.EnsureInitialized();
        if (testSet is not null && !testSet.LabelNames.SequenceEqual(trainingSet.LabelNames))
            throw new ArgumentException($"test set '{testSet.Name}' has labels [{string.Join(",", testSet.LabelNames)}] but training set '{trainingSet.Name}' has [{string.Join(",", trainingSet.LabelNames)}].");
        int threads = options.Threads ?? Environment.ProcessorCount;
        torch.set_num_threads(threads);

        var data = options.Limit is int limit ? trainingSet.Take(limit) : trainingSet;
        var architecture = requestedArchitecture ?? new CrnnArchitecture(data.ClassCount);
        if (architecture.ClassCount != data.ClassCount)
            throw new ArgumentException($"architecture has {architecture.ClassCount} classes but dataset '{data.Name}' has {data.ClassCount}.");
        if (architecture.InputHeight != data.Height || architecture.InputWidth != data.Width)
            throw new ArgumentException($"architecture expects {architecture.InputHeight}x{architecture.InputWidth} images but dataset '{data.Name}' has {data.Height}x{data.Width}.");

        var (trainIdx, valIdx) = StratifiedSplit.Split(data.Labels, options.ValidationFraction, options.Seed);
        var (mean, std) = PixelStatistics(data, trainIdx);
        Directory.CreateDirectory(outputDir);
        string checkpointPath = Path.Combine(outputDir, CheckpointFileName);

        var state = new CheckpointState
        {
            Dataset = data.Name, LabelNames = data.LabelNames.ToArray(), Architecture = architecture, Options = options,
            NormalizationMean = mean, NormalizationStd = std, TrainImages = trainIdx.Length, ValidationImages = valIdx.Length,
        };

        torch.manual_seed(options.Seed);
        var model = new CrnnClassifier(architecture);
        var optimizer = CreateOptimizer(model);
        byte[] bestWeights;
        if (resume)
        {
            var saved = TrainingCheckpoint.ReadState(checkpointPath);
            EnsureCompatible(saved, state, checkpointPath);
            bestWeights = TrainingCheckpoint.Restore(checkpointPath, model, optimizer);
            state = saved with { Options = options };
        }
        else
        {
            if (File.Exists(checkpointPath))
                throw new IOException($"{checkpointPath} exists: pass --resume to continue that run, or choose another output folder.");
            bestWeights = TrainingCheckpoint.WeightsToBytes(model);
        }

        int stepsPerEpoch = (trainIdx.Length + options.BatchSize - 1) / options.BatchSize;
        var schedule = new LearningRateSchedule(options.Schedule, options.LearningRate, (long)stepsPerEpoch * options.Epochs,
            (long)Math.Round(options.WarmupEpochs * stepsPerEpoch));
        var augmenter = new BatchAugmenter(options.Augmentation);
        var trainBuilder = new BatchBuilder(data, options.Augmentation.RealCrops, trainIdx);
        var runClock = Stopwatch.StartNew();
        double secondsBefore = state.TrainingSeconds;
        using var meanT = torch.tensor((float)mean);
        using var stdT = torch.tensor((float)std);

        while (!state.Finished && state.EpochsCompleted < options.Epochs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int epoch = state.EpochsCompleted + 1;
            var epochClock = Stopwatch.StartNew();
            // Everything random in this epoch derives from (seed, epoch): resume reproduces it exactly.
            torch.manual_seed(EpochSeed(options.Seed, epoch));
            var rng = new Random(EpochSeed(options.Seed, epoch));
            int[] order = (int[])trainIdx.Clone();
            rng.Shuffle(order);

            model.train();
            double lossSum = 0, computeSeconds = 0;
            long correct = 0, seen = 0, step = state.GlobalStep;
            double lr = schedule.At(step);
            for (int b = 0; b < stepsPerEpoch; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var batch = order.AsSpan(b * options.BatchSize, Math.Min(options.BatchSize, order.Length - b * options.BatchSize));
                var (images, labels) = trainBuilder.Build(batch, options.Augmentation.RealCrops > 0 ? rng : null);
                var input = (augmenter.Apply(images, rng) - meanT) / stdT;

                long t0 = Stopwatch.GetTimestamp();
                lr = schedule.At(step);
                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                optimizer.zero_grad();
                var logits = model.forward(input);
                var loss = nn.functional.cross_entropy(logits, labels, label_smoothing: options.LabelSmoothing);
                // Both checked before the optimiser step, so a NaN or an infinity never reaches the weights.
                double batchLoss = loss.item<float>();
                if (!double.IsFinite(batchLoss))
                    throw Diverged(DivergedQuantity.Loss, batchLoss, epoch, b + 1, stepsPerEpoch, step + 1, lr, state, checkpointPath);
                loss.backward();
                double gradientNorm = FiniteChecks.GradientNorm(model.parameters(), options.GradientClipNorm);
                if (!double.IsFinite(gradientNorm))
                    throw Diverged(DivergedQuantity.Gradient, gradientNorm, epoch, b + 1, stepsPerEpoch, step + 1, lr, state, checkpointPath);
                optimizer.step();
                computeSeconds += Stopwatch.GetElapsedTime(t0).TotalSeconds;

                lossSum += batchLoss * batch.Length;
                correct += logits.argmax(1).eq(labels).sum().item<long>();
                seen += batch.Length;
                step++;
                if (progress is not null && (b % 10 == 9 || b == stepsPerEpoch - 1))
                {
                    double ips = seen / epochClock.Elapsed.TotalSeconds;
                    progress.Report(new TrainingProgress(TrainingPhase.Train, epoch, options.Epochs, b + 1, stepsPerEpoch,
                        lossSum / seen, (double)correct / seen, ips, runClock.Elapsed,
                        Remaining(ips, (long)(options.Epochs - epoch) * trainIdx.Length + (trainIdx.Length - seen), valIdx.Length * (options.Epochs - epoch + 1))));
                }
            }
            double trainSeconds = epochClock.Elapsed.TotalSeconds;
            // Finite gradients can still carry the weights, or the batch-norm statistics, out of float range
            // (AdamW's decay at an absurd rate does): never validate or checkpoint such a model.
            if (FiniteChecks.FirstNonFiniteWeight(model) is { } bad)
                throw Diverged(DivergedQuantity.Weights, bad.Value, epoch, stepsPerEpoch, stepsPerEpoch, step, lr, state, checkpointPath, bad.Name);

            var val = Evaluate(model, data, valIdx, mean, std, progress, epoch, runClock, epochs: options.Epochs);
            bool improved = val.Loss < state.BestValidationLoss;
            if (improved) bestWeights = TrainingCheckpoint.WeightsToBytes(model);
            var record = new EpochRecord
            {
                Epoch = epoch, LearningRate = lr, TrainLoss = lossSum / seen, TrainAccuracy = (double)correct / seen,
                ValidationLoss = val.Loss, ValidationAccuracy = val.Accuracy, Seconds = epochClock.Elapsed.TotalSeconds,
                ImagesPerSecond = seen / trainSeconds, ComputeFraction = computeSeconds / trainSeconds, Improved = improved,
            };
            int without = improved ? 0 : state.EpochsWithoutImprovement + 1;
            state = state with
            {
                EpochsCompleted = epoch, GlobalStep = step, History = [.. state.History, record],
                BestEpoch = improved ? epoch : state.BestEpoch,
                BestValidationLoss = improved ? val.Loss : state.BestValidationLoss,
                BestValidationAccuracy = improved ? val.Accuracy : state.BestValidationAccuracy,
                EpochsWithoutImprovement = without,
                Finished = without >= options.Patience || epoch == options.Epochs,
                TrainingSeconds = secondsBefore + runClock.Elapsed.TotalSeconds,
            };
            TrainingCheckpoint.Save(checkpointPath, state, model, bestWeights, optimizer);
            WriteHistory(outputDir, state);
            progress?.Report(new TrainingProgress(TrainingPhase.EpochEnd, epoch, options.Epochs, stepsPerEpoch, stepsPerEpoch,
                record.TrainLoss, record.TrainAccuracy, record.ImagesPerSecond, runClock.Elapsed, TimeSpan.Zero, record));
        }

        // Early stopping keeps the best epoch's weights, not the last ones.
        TrainingCheckpoint.LoadWeights(model, bestWeights, checkpointPath);
        model.eval();
        EvaluationResult? test = null;
        if (testSet is not null && testSet.Count > 0)
        {
            test = Evaluate(model, testSet, Enumerable.Range(0, testSet.Count).ToArray(), mean, std, progress, state.EpochsCompleted, runClock, TrainingPhase.Test, options.Epochs);
            // Keep the test figures with the weights, so an export from this checkpoint can carry them.
            state = state with { TestAccuracy = test.Accuracy, TestMacroAccuracy = test.MacroAccuracy, TestImages = testSet.Count };
            TrainingCheckpoint.Save(checkpointPath, state, model, bestWeights, optimizer);
        }

        var history = state.History;
        var summary = new TrainingSummary
        {
            Dataset = state.Dataset, Architecture = architecture.ToString(), Parameters = model.ParameterCount(),
            MultiplyAccumulatesPerImage = architecture.MultiplyAccumulates(), TrainImages = state.TrainImages,
            ValidationImages = state.ValidationImages, TestImages = testSet?.Count ?? 0, EpochsRun = state.EpochsCompleted,
            BestEpoch = state.BestEpoch, StoppedEarly = state.EpochsCompleted < options.Epochs,
            BestValidationLoss = state.BestValidationLoss, ValidationAccuracy = state.BestValidationAccuracy,
            TestAccuracy = test?.Accuracy, TestMacroAccuracy = test?.MacroAccuracy, TestLoss = test?.Loss,
            TrainingSeconds = state.TrainingSeconds,
            TrainImagesPerSecond = history.Count == 0 ? 0 : history.Average(h => h.ImagesPerSecond),
            ComputeFraction = history.Count == 0 ? 0 : history.Average(h => h.ComputeFraction),
            Threads = threads, Seed = options.Seed, RealCrops = options.Augmentation.RealCrops,
        };
        AtomicFile.WriteAllText(Path.Combine(outputDir, SummaryFileName), JsonSerializer.Serialize(summary, TrainingCheckpoint.Json));
        WriteHistory(outputDir, state);
        TrainingPlots.Write(outputDir, history);
        progress?.Report(new TrainingProgress(TrainingPhase.Done, state.EpochsCompleted, options.Epochs, 0, 0,
            test?.Loss ?? state.BestValidationLoss, test?.Accuracy ?? state.BestValidationAccuracy, 0, runClock.Elapsed, TimeSpan.Zero));
        return new TrainingResult(model, state, summary, checkpointPath);
    }

    /// <summary>Loss, accuracy and macro accuracy of <paramref name="model"/> (eval mode) on some images of a dataset.</summary>
    public static EvaluationResult Evaluate(CrnnClassifier model, CharacterDataset data, int[] indices, double mean, double std,
        IProgress<TrainingProgress>? progress = null, int epoch = 0, Stopwatch? clock = null, TrainingPhase phase = TrainingPhase.Validate,
        int epochs = 0)
    {
        const int batchSize = 500;
        bool wasTraining = model.training;
        model.eval();
        var builder = new BatchBuilder(data);
        var perClassCorrect = new long[data.ClassCount];
        var perClassTotal = new long[data.ClassCount];
        var predictions = new int[indices.Length];
        double lossSum = 0;
        long correct = 0;
        var started = Stopwatch.StartNew();
        int batches = (indices.Length + batchSize - 1) / batchSize;
        using (torch.no_grad())
        {
            for (int b = 0; b < batches; b++)
            {
                using var scope = torch.NewDisposeScope();
                var batch = indices.AsSpan(b * batchSize, Math.Min(batchSize, indices.Length - b * batchSize));
                var (images, labels) = builder.Build(batch);
                var logits = model.forward((images - mean) / std);
                lossSum += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).item<float>();
                var predicted = logits.argmax(1).data<long>().ToArray();
                for (int i = 0; i < batch.Length; i++)
                {
                    int label = data.Labels[batch[i]];
                    predictions[b * batchSize + i] = (int)predicted[i];
                    perClassTotal[label]++;
                    if (predicted[i] == label) { perClassCorrect[label]++; correct++; }
                }
                progress?.Report(new TrainingProgress(phase, epoch, epochs, b + 1, batches, lossSum / (b * batchSize + batch.Length),
                    (double)correct / (b * batchSize + batch.Length), (b * batchSize + batch.Length) / started.Elapsed.TotalSeconds,
                    clock?.Elapsed ?? started.Elapsed, TimeSpan.Zero));
            }
        }
        if (wasTraining) model.train();
        var present = Enumerable.Range(0, data.ClassCount).Where(c => perClassTotal[c] > 0).ToArray();
        double macro = present.Length == 0 ? 0 : present.Average(c => (double)perClassCorrect[c] / perClassTotal[c]);
        return new EvaluationResult(indices.Length == 0 ? 0 : lossSum / indices.Length,
            indices.Length == 0 ? 0 : (double)correct / indices.Length, macro, predictions);
    }

    private OptimizerHelper CreateOptimizer(CrnnClassifier model) => options.Optimizer switch
    {
        OptimizerKind.AdamW => new Optimization.AdamW(model.parameters(), options.LearningRate, options.WeightDecay),
        _ => new Optimization.Adam(model.parameters(), options.LearningRate, options.WeightDecay),
    };

    private static void EnsureCompatible(CheckpointState saved, CheckpointState requested, string path)
    {
        var differences = new List<string>();
        if (saved.Dataset != requested.Dataset) differences.Add($"dataset '{saved.Dataset}' vs '{requested.Dataset}'");
        if (!saved.LabelNames.SequenceEqual(requested.LabelNames)) differences.Add("class labels differ");
        if (!saved.Architecture.Equals(requested.Architecture)) differences.Add($"architecture '{saved.Architecture}' vs '{requested.Architecture}'");
        // The thread count changes speed, not the run, so a resume may use another one.
        string savedOptions = JsonSerializer.Serialize(saved.Options with { Threads = null }, TrainingCheckpoint.Json);
        string requestedOptions = JsonSerializer.Serialize(requested.Options with { Threads = null }, TrainingCheckpoint.Json);
        if (savedOptions != requestedOptions) differences.Add("training options differ (run the same command with --resume)");
        if (saved.TrainImages != requested.TrainImages || saved.ValidationImages != requested.ValidationImages)
            differences.Add($"split {saved.TrainImages}/{saved.ValidationImages} vs {requested.TrainImages}/{requested.ValidationImages} images");
        if (differences.Count > 0)
            throw new InvalidOperationException($"{path}: cannot resume: the checkpoint is from another run ({string.Join("; ", differences)}).");
    }

    internal static (double Mean, double Std) PixelStatistics(CharacterDataset data, int[] indices)
    {
        double sum = 0, sumSq = 0;
        foreach (int i in indices)
            foreach (byte p in data.Image(i)) { double v = p / 255.0; sum += v; sumSq += v * v; }
        double n = (double)indices.Length * data.PixelsPerImage;
        double mean = sum / n;
        double std = Math.Sqrt(Math.Max(sumSq / n - mean * mean, 0));
        // Round so that the same figures appear in the model metadata and the docs; a blank or constant set would round
        // its std to 0 and every normalised pixel to NaN, so 1e-4 (the smallest rounded value) is the floor.
        return (Math.Round(mean, 4), Math.Max(Math.Round(std, 4), 1e-4));
    }

    // HashCode.Combine is randomised per process, so derive the epoch seed arithmetically.
    internal static int EpochSeed(int seed, int epoch) => unchecked(seed * 1_000_003 + epoch * 7_919);

    // The checkpoint on disk holds the last completed epoch (this run's or the resumed one's), if any.
    private static TrainingDivergedException Diverged(DivergedQuantity quantity, double value, int epoch, int step, int stepsPerEpoch,
        long globalStep, double learningRate, CheckpointState state, string checkpointPath, string? tensorName = null) =>
        new(quantity, value, epoch, step, stepsPerEpoch, globalStep, learningRate,
            state.EpochsCompleted > 0 ? checkpointPath : null, state.EpochsCompleted, tensorName);

    private static TimeSpan Remaining(double imagesPerSecond, long trainImagesLeft, long validationImagesLeft) =>
        imagesPerSecond <= 0 ? TimeSpan.Zero
            : TimeSpan.FromSeconds(trainImagesLeft / imagesPerSecond + validationImagesLeft / (imagesPerSecond * 3));

    private static void WriteHistory(string outputDir, CheckpointState state) =>
        AtomicFile.WriteAllText(Path.Combine(outputDir, HistoryFileName), JsonSerializer.Serialize(state.History, TrainingCheckpoint.Json));
}

/// <summary>Loss and accuracy of a model on a set of images.</summary>
public sealed record EvaluationResult(double Loss, double Accuracy, double MacroAccuracy, int[] Predictions);

/// <summary>What <see cref="CrnnTrainer.Train"/> returns: the model with its best weights, and the run's state and summary.</summary>
public sealed record TrainingResult(CrnnClassifier Model, CheckpointState State, TrainingSummary Summary, string CheckpointPath);
