using System.Diagnostics;
using System.Text.Json;
using Crnn.MLNet.Evaluation;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Model;
using Crnn.MLNet.Training.Native;
using Crnn.MLNet.Training.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Lines;

/// <summary>
/// Trains a <see cref="CrnnLineModel"/> with CTC on lines synthesised on the fly from a character dataset: the
/// training split's characters are split 80/20 (stratified); training lines use only the 80%, a fixed set of
/// validation lines only the 20%; Adam with a learning-rate schedule, gradient clipping, early stopping on
/// validation CTC loss (best weights restored), an atomic checkpoint every epoch, and at the end one evaluation on
/// a fixed set of lines made from the test split (the set <c>crnn make-lines</c> writes with the same seed).
/// </summary>
/// <remarks>
/// Batches are bucketed by width (lines of similar width together) so that little compute goes to padding.
/// Everything random derives from (seed, epoch): a resumed run takes the path an uninterrupted one would have.
/// Not thread-safe: one run at a time.
/// </remarks>
public sealed class CtcLineTrainer
{
    public const string CheckpointFileName = "checkpoint.ckpt";
    public const string HistoryFileName = "history.json";
    public const string SummaryFileName = "summary.json";
    private const int BucketBatches = 16;

    private readonly LineTrainingOptions options;
    private readonly CrnnArchitecture? requestedArchitecture;

    /// <param name="options">Hyper-parameters.</param>
    /// <param name="architecture">Model shape (class count = labels + 1 for the blank); null: the defaults.</param>
    public CtcLineTrainer(LineTrainingOptions options, CrnnArchitecture? architecture = null)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        requestedArchitecture = architecture;
    }

    /// <summary>
    /// A user's own lines to fine-tune on: a share of each batch's lines is drawn from their training part, and their
    /// validation part (other pages) replaces the synthetic validation lines, for early stopping and the figures.
    /// Null: synthetic lines only.
    /// </summary>
    public OwnLineSet? OwnLines { get; init; }

    /// <summary>
    /// Runs training, writing checkpoint, history and summary into <paramref name="outputDir"/>.
    /// <paramref name="initFrom"/>: a checkpoint of the same dataset whose weights and normalisation seed the model (a
    /// classifier's CNN and recurrent layer, or all of a line model's, to fine-tune it); ignored on resume.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss, the gradients or the weights became NaN or infinite; the
    /// checkpoint and history of the last completed epoch are left as they were.</exception>
    public LineTrainingResult Train(CharacterDataset trainingSet, CharacterDataset? testSet, string outputDir, bool resume = false,
        string? initFrom = null, IProgress<LineTrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainingSet);
        TorchRuntime.EnsureInitialized();
        if (testSet is not null && !testSet.LabelNames.SequenceEqual(trainingSet.LabelNames))
            throw new ArgumentException($"test set '{testSet.Name}' has other labels than training set '{trainingSet.Name}'.");
        int threads = options.Threads ?? Environment.ProcessorCount;
        torch.set_num_threads(threads);
        var data = options.Limit is int limit ? trainingSet.Take(limit) : trainingSet;
        var layout = options.Synthesis.Layout;
        var architecture = requestedArchitecture ?? new CrnnArchitecture(data.ClassCount + 1, inputHeight: layout.Height, inputWidth: 32);
        if (architecture.ClassCount != data.ClassCount + 1)
            throw new ArgumentException($"architecture has {architecture.ClassCount} classes but a line model of '{data.Name}' needs {data.ClassCount + 1} ({data.ClassCount} characters + blank).");
        if (architecture.InputHeight != layout.Height)
            throw new ArgumentException($"architecture expects lines {architecture.InputHeight} px high but the synthesis layout makes {layout.Height}.");

        var (trainIdx, valIdx) = StratifiedSplit.Split(data.Labels, options.ValidationFraction, options.Seed);
        var (mean, std) = CrnnTrainer.PixelStatistics(data, trainIdx);
        Directory.CreateDirectory(outputDir);
        string checkpointPath = Path.Combine(outputDir, CheckpointFileName);

        torch.manual_seed(options.Seed);
        var model = new CrnnLineModel(architecture);
        if (model.TimeStepWidth != layout.StepWidth)
            throw new ArgumentException($"the model reads {model.TimeStepWidth} columns per time step but the layout pads to multiples of {layout.StepWidth}.");
        string? seededFrom = null;
        if (initFrom is not null && !resume)
        {
            // A classifier seeds the CNN and recurrent layer; a line checkpoint seeds everything (fine-tuning).
            bool fromLines = LineCheckpoint.IsLineCheckpoint(initFrom);
            var (source, labels, seedMean, seedStd) = fromLines
                ? LoadLineSeed(initFrom)
                : LoadClassifierSeed(initFrom);
            using (source)
            {
                if (fromLines)
                {
                    if (!labels.SequenceEqual(data.LabelNames))
                        throw new ArgumentException($"{initFrom}: the checkpoint's labels differ from dataset '{data.Name}''s.");
                }
                else
                {
                    // A classifier gives its features only, so it may know more characters (EMNIST-47 seeding block
                    // capitals), but not fewer: every character the lines draw from images must be one it learnt.
                    var counts = data.ClassCounts();
                    var unknown = Enumerable.Range(0, data.ClassCount).Where(k => counts[k] > 0 && !labels.Contains(data.LabelNames[k])).Select(k => data.LabelNames[k]).ToArray();
                    if (unknown.Length > 0)
                        throw new ArgumentException($"{initFrom}: the classifier was not trained on '{string.Join("', '", unknown.Take(10))}' of dataset '{data.Name}'.");
                }
                var copied = model.CopyMatchingWeightsFrom(source);
                if (copied.Count == 0) throw new ArgumentException($"{initFrom}: no weights match the line model ({architecture}).");
            }
            // The seeded CNN expects the seed's input scaling.
            (mean, std) = (seedMean, seedStd);
            seededFrom = Path.GetFileName(initFrom);
        }
        var state = new LineCheckpointState
        {
            Dataset = data.Name, LabelNames = data.LabelNames.ToArray(), Architecture = architecture, Options = options,
            NormalizationMean = mean, NormalizationStd = std, TrainCharacters = trainIdx.Length, ValidationCharacters = valIdx.Length,
            InitializedFrom = seededFrom, OwnLines = OwnLines is null ? null : OwnLinesRecord.Of(OwnLines),
        };
        var optimizer = new Optimization.Adam(model.parameters(), options.LearningRate, options.WeightDecay);
        byte[] bestWeights;
        if (resume)
        {
            var saved = LineCheckpoint.ReadState(checkpointPath);
            EnsureCompatible(saved, state, checkpointPath);
            bestWeights = LineCheckpoint.Restore(checkpointPath, model, optimizer);
            state = saved with { Options = options };
            (mean, std) = (saved.NormalizationMean, saved.NormalizationStd);
        }
        else
        {
            if (File.Exists(checkpointPath))
                throw new IOException($"{checkpointPath} exists: pass --resume to continue that run, or choose another output folder.");
            bestWeights = TrainingCheckpoint.ModuleToBytes(model);
        }

        var trainLines = new LineSynthesizer(data, trainIdx, options.Synthesis);
        var validationLines = OwnLines?.Validation
            ?? new LineSynthesizer(data, valIdx, options.Synthesis).FixedSet(options.ValidationLines, unchecked(options.Seed * 31 + 17)).ToList();
        if (OwnLines is not null && !resume)
        {
            // Where the user starts from: the seeded model on their held-out pages.
            var before = Evaluate(model, validationLines, data.LabelNames, mean, std, layout.StepWidth, progress, 0, null, epochs: options.Epochs);
            state = state with { InitialValidation = before };
        }
        int stepsPerEpoch = (options.LinesPerEpoch + options.BatchSize - 1) / options.BatchSize;
        var schedule = new LearningRateSchedule(options.Schedule, options.LearningRate, (long)stepsPerEpoch * options.Epochs,
            (long)Math.Round(options.WarmupEpochs * stepsPerEpoch));
        var runClock = Stopwatch.StartNew();
        double secondsBefore = state.TrainingSeconds;

        while (!state.Finished && state.EpochsCompleted < options.Epochs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int epoch = state.EpochsCompleted + 1;
            var epochClock = Stopwatch.StartNew();
            torch.manual_seed(CrnnTrainer.EpochSeed(options.Seed, epoch));
            var rng = new Random(CrnnTrainer.EpochSeed(options.Seed, epoch));
            model.train();
            double lossSum = 0, lr = schedule.At(state.GlobalStep);
            long step = state.GlobalStep, lines = 0, characters = 0;
            int batchIndex = 0;
            while (lines < options.LinesPerEpoch)
            {
                // A bucket: several batches' worth of lines, sorted by width, cut into batches taken in random order.
                int bucketSize = (int)Math.Min((long)options.BatchSize * BucketBatches, options.LinesPerEpoch - lines);
                var bucket = new List<SynthesizedLine>(bucketSize);
                for (int i = 0; i < bucketSize; i++) bucket.Add(NextTrainingLine(trainLines, rng));
                bucket.Sort((a, b) => a.Width.CompareTo(b.Width));
                var batches = bucket.Chunk(options.BatchSize).ToArray();
                rng.Shuffle(batches);
                foreach (var lineBatch in batches)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var scope = torch.NewDisposeScope();
                    var batch = LineBatch.Build(lineBatch, mean, std, layout.StepWidth);
                    lr = schedule.At(step);
                    foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                    optimizer.zero_grad();
                    var logProbs = model.forward(batch.Input);
                    var loss = nn.functional.ctc_loss(logProbs, batch.Targets, batch.InputLengths, batch.TargetLengths, blank: 0, zero_infinity: true);
                    // Both checked before the optimiser step, so a NaN or an infinity never reaches the weights.
                    double batchLoss = loss.item<float>();
                    if (!double.IsFinite(batchLoss))
                        throw Diverged(DivergedQuantity.Loss, batchLoss, epoch, batchIndex + 1, stepsPerEpoch, step + 1, lr, state, checkpointPath);
                    loss.backward();
                    double gradientNorm = FiniteChecks.GradientNorm(model.parameters(), options.GradientClipNorm);
                    if (!double.IsFinite(gradientNorm))
                        throw Diverged(DivergedQuantity.Gradient, gradientNorm, epoch, batchIndex + 1, stepsPerEpoch, step + 1, lr, state, checkpointPath);
                    optimizer.step();
                    lossSum += batchLoss * lineBatch.Length;
                    lines += lineBatch.Length;
                    characters += lineBatch.Sum(l => l.Labels.Length);
                    step++;
                    batchIndex++;
                    if (progress is not null && (batchIndex % 10 == 0 || lines >= options.LinesPerEpoch))
                    {
                        double lps = lines / epochClock.Elapsed.TotalSeconds;
                        long left = (long)(options.Epochs - epoch) * options.LinesPerEpoch + (options.LinesPerEpoch - lines);
                        progress.Report(new LineTrainingProgress(TrainingPhase.Train, epoch, options.Epochs, batchIndex, stepsPerEpoch,
                            lossSum / lines, lps, runClock.Elapsed, TimeSpan.FromSeconds(left / Math.Max(lps, 1e-9))));
                    }
                }
            }
            double trainSeconds = epochClock.Elapsed.TotalSeconds;
            // Finite gradients can still carry the weights, or the batch-norm statistics, out of float range:
            // never validate or checkpoint such a model.
            if (FiniteChecks.FirstNonFiniteWeight(model) is { } bad)
                throw Diverged(DivergedQuantity.Weights, bad.Value, epoch, batchIndex, stepsPerEpoch, step, lr, state, checkpointPath, bad.Name);
            var val = Evaluate(model, validationLines, data.LabelNames, mean, std, layout.StepWidth, progress, epoch, runClock, epochs: options.Epochs);
            bool improved = val.Loss < state.BestValidationLoss;
            if (improved) bestWeights = TrainingCheckpoint.ModuleToBytes(model);
            var record = new LineEpochRecord
            {
                Epoch = epoch, LearningRate = lr, TrainLoss = lossSum / lines, ValidationLoss = val.Loss,
                ValidationCharacterErrorRate = val.CharacterErrorRate, ValidationSequenceAccuracy = val.SequenceAccuracy,
                Seconds = epochClock.Elapsed.TotalSeconds, LinesPerSecond = lines / trainSeconds, CharactersPerSecond = characters / trainSeconds,
                Improved = improved,
            };
            int without = improved ? 0 : state.EpochsWithoutImprovement + 1;
            state = state with
            {
                EpochsCompleted = epoch, GlobalStep = step, History = [.. state.History, record],
                BestEpoch = improved ? epoch : state.BestEpoch,
                BestValidationLoss = improved ? val.Loss : state.BestValidationLoss,
                BestValidationCharacterErrorRate = improved ? val.CharacterErrorRate : state.BestValidationCharacterErrorRate,
                BestValidationSequenceAccuracy = improved ? val.SequenceAccuracy : state.BestValidationSequenceAccuracy,
                EpochsWithoutImprovement = without,
                Finished = without >= options.Patience || epoch == options.Epochs,
                TrainingSeconds = secondsBefore + runClock.Elapsed.TotalSeconds,
            };
            LineCheckpoint.Save(checkpointPath, state, model, bestWeights, optimizer);
            WriteJson(outputDir, HistoryFileName, state.History);
            progress?.Report(new LineTrainingProgress(TrainingPhase.EpochEnd, epoch, options.Epochs, stepsPerEpoch, stepsPerEpoch,
                record.TrainLoss, record.LinesPerSecond, runClock.Elapsed, TimeSpan.Zero, record));
        }

        LineCheckpoint.LoadWeights(model, bestWeights, checkpointPath);
        model.eval();
        if (testSet is not null && testSet.Count > 0 && options.TestLines > 0)
        {
            var testLines = FixedTestLines(testSet, options.Synthesis, options.TestLines, options.TestSeed).ToList();
            var test = Evaluate(model, testLines, data.LabelNames, mean, std, layout.StepWidth, progress, state.EpochsCompleted, runClock, TrainingPhase.Test, options.Epochs);
            state = state with { Test = test };
            LineCheckpoint.Save(checkpointPath, state, model, bestWeights, optimizer);
        }
        WriteJson(outputDir, HistoryFileName, state.History);
        WriteJson(outputDir, SummaryFileName, new
        {
            state.Dataset, Architecture = architecture.ToString(), Parameters = model.ParameterCount(), state.TrainCharacters,
            state.ValidationCharacters, state.InitializedFrom, EpochsRun = state.EpochsCompleted, state.BestEpoch,
            StoppedEarly = state.EpochsCompleted < options.Epochs, state.BestValidationLoss, state.BestValidationCharacterErrorRate,
            state.BestValidationSequenceAccuracy, state.Test, state.OwnLines, state.InitialValidation, state.TrainingSeconds, Threads = threads,
            options.Seed, options.Synthesis.Realism,
            LinesPerSecond = state.History.Count == 0 ? 0 : state.History.Average(h => h.LinesPerSecond),
        });
        progress?.Report(new LineTrainingProgress(TrainingPhase.Done, state.EpochsCompleted, options.Epochs, 0, 0,
            state.Test?.Loss ?? state.BestValidationLoss, 0, runClock.Elapsed, TimeSpan.Zero));
        return new LineTrainingResult(model, state, checkpointPath);
    }

    // Draws no extra random numbers without own lines, so that synthetic-only runs stay as they were.
    private SynthesizedLine NextTrainingLine(LineSynthesizer synthetic, Random rng) =>
        OwnLines is { } own && rng.NextDouble() < own.Share ? own.Training[rng.Next(own.Training.Count)] : synthetic.Next(rng);

    /// <summary>
    /// The fixed test lines of a dataset's test split: every test image in the pool, lengths cycling through the
    /// synthesis options' range. <c>crnn make-lines</c> writes exactly these lines for the same seed and options.
    /// </summary>
    public static IEnumerable<SynthesizedLine> FixedTestLines(CharacterDataset testSet, LineSynthesisOptions synthesis, int count, int seed) =>
        // The clean lines whatever the training's realism, so that every model is measured on the same test set.
        new LineSynthesizer(testSet, Enumerable.Range(0, testSet.Count).ToArray(), synthesis with { Realism = 0 }).FixedSet(count, seed);

    private static (nn.Module Model, IReadOnlyList<string> Labels, double Mean, double Std) LoadClassifierSeed(string path)
    {
        var (model, state) = TrainingCheckpoint.LoadModel(path);
        return (model, state.LabelNames, state.NormalizationMean, state.NormalizationStd);
    }

    private static (nn.Module Model, IReadOnlyList<string> Labels, double Mean, double Std) LoadLineSeed(string path)
    {
        var (model, state) = LineCheckpoint.LoadModel(path);
        return (model, state.LabelNames, state.NormalizationMean, state.NormalizationStd);
    }

    /// <summary>CTC loss and greedy-decoding figures of <paramref name="model"/> (eval mode) on some lines.</summary>
    /// <param name="labelNames">The dataset's labels (the text each class writes), to score texts as the inference library does.</param>
    public static LineEvaluation Evaluate(CrnnLineModel model, IReadOnlyList<SynthesizedLine> lines, IReadOnlyList<string> labelNames,
        double mean, double std, int timeStepWidth, IProgress<LineTrainingProgress>? progress = null, int epoch = 0, Stopwatch? clock = null, TrainingPhase phase = TrainingPhase.Validate,
        int epochs = 0)
    {
        const int batchSize = 64;
        bool wasTraining = model.training;
        model.eval();
        // Sorted by width so that batches carry little padding; figures do not depend on the order.
        var order = Enumerable.Range(0, lines.Count).OrderBy(i => lines[i].Width).ToArray();
        double lossSum = 0;
        var texts = new CrnnTextEvaluator();
        string Text(IEnumerable<int> labels) => string.Concat(labels.Select(l => labelNames[l]));
        var started = Stopwatch.StartNew();
        int batches = (order.Length + batchSize - 1) / batchSize;
        using (torch.no_grad())
        {
            for (int b = 0; b < batches; b++)
            {
                using var scope = torch.NewDisposeScope();
                var chunk = order.Skip(b * batchSize).Take(batchSize).Select(i => lines[i]).ToArray();
                var batch = LineBatch.Build(chunk, mean, std, timeStepWidth);
                var logProbs = model.forward(batch.Input);
                // Per line, divided by its length: the quantity training minimises (PyTorch's "mean" reduction).
                var perLine = nn.functional.ctc_loss(logProbs, batch.Targets, batch.InputLengths, batch.TargetLengths, blank: 0,
                    zero_infinity: true, reduction: nn.Reduction.None);
                lossSum += (perLine / batch.TargetLengths.to_type(ScalarType.Float32)).sum().item<float>();
                var best = logProbs.argmax(2).transpose(0, 1).contiguous().data<long>().ToArray(); // N x T
                long t = logProbs.shape[0];
                for (int i = 0; i < chunk.Length; i++)
                {
                    var decoded = CtcGreedy.Decode(best.AsSpan((int)(i * t), (int)t), batch.Steps[i]);
                    texts.Add(Text(chunk[i].Labels), Text(decoded));
                }
                progress?.Report(new LineTrainingProgress(phase, epoch, epochs, b + 1, batches, 0,
                    (b * batchSize + chunk.Length) / started.Elapsed.TotalSeconds, clock?.Elapsed ?? started.Elapsed, TimeSpan.Zero));
            }
        }
        if (wasTraining) model.train();
        var metrics = texts.Result();
        var byLength = metrics.ByLength.Select(m => new LineLengthFigures(m.Length, m.Lines, m.CharacterErrorRate, m.SequenceAccuracy)).ToArray();
        return new LineEvaluation(lines.Count, lines.Count == 0 ? 0 : lossSum / lines.Count, metrics.CharacterErrorRate, metrics.SequenceAccuracy, byLength);
    }

    private static void EnsureCompatible(LineCheckpointState saved, LineCheckpointState requested, string path)
    {
        var differences = new List<string>();
        if (saved.Dataset != requested.Dataset) differences.Add($"dataset '{saved.Dataset}' vs '{requested.Dataset}'");
        if (!saved.LabelNames.SequenceEqual(requested.LabelNames)) differences.Add("labels differ");
        if (!saved.Architecture.Equals(requested.Architecture)) differences.Add($"architecture '{saved.Architecture}' vs '{requested.Architecture}'");
        string a = JsonSerializer.Serialize(saved.Options with { Threads = null }, TrainingCheckpoint.Json);
        string b = JsonSerializer.Serialize(requested.Options with { Threads = null }, TrainingCheckpoint.Json);
        if (a != b) differences.Add("training options differ (run the same command with --resume)");
        if (JsonSerializer.Serialize(saved.OwnLines, TrainingCheckpoint.Json) != JsonSerializer.Serialize(requested.OwnLines, TrainingCheckpoint.Json))
            differences.Add("the own lines differ (same --lines folder and split options)");
        if (differences.Count > 0)
            throw new InvalidOperationException($"{path}: cannot resume: the checkpoint is from another run ({string.Join("; ", differences)}).");
    }

    // The checkpoint on disk holds the last completed epoch (this run's or the resumed one's), if any.
    private static TrainingDivergedException Diverged(DivergedQuantity quantity, double value, int epoch, int step, int stepsPerEpoch,
        long globalStep, double learningRate, LineCheckpointState state, string checkpointPath, string? tensorName = null) =>
        new(quantity, value, epoch, step, stepsPerEpoch, globalStep, learningRate,
            state.EpochsCompleted > 0 ? checkpointPath : null, state.EpochsCompleted, tensorName);

    private static void WriteJson<T>(string outputDir, string name, T value) =>
        AtomicFile.WriteAllText(Path.Combine(outputDir, name), JsonSerializer.Serialize(value, TrainingCheckpoint.Json));
}
