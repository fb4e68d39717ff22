using Crnn.MLNet.Evaluation;
using Crnn.MLNet.Imaging;

namespace Crnn.MLNet.Training.Lines;

/// <summary>
/// A user's own labelled lines, split by page and read through the inference library's line normaliser (the same
/// clean-up and geometry <c>crnn read</c> applies), ready to fine-tune a line model on: <see cref="Training"/> lines
/// are mixed into the synthetic ones at <see cref="Share"/>, <see cref="Validation"/> lines replace the synthetic
/// validation set.
/// </summary>
/// <remarks>
/// Lines whose text has a character outside the model's labels cannot be learnt or read right: they are left out
/// of both sides and counted in <see cref="Skipped"/>.
/// </remarks>
public sealed record OwnLineSet(string Source, IReadOnlyList<SynthesizedLine> Training, IReadOnlyList<SynthesizedLine> Validation, double Share)
{
    /// <summary>Lines left out because their text has characters outside the labels (or none at all).</summary>
    public int Skipped { get; init; }

    /// <summary>The labelled lines (files and texts) behind <see cref="Validation"/>, in the same order: to score them
    /// with another reader, such as the ONNX model before and after fine-tuning.</summary>
    public IReadOnlyList<LabelledLine> ValidationSource { get; init; } = [];

    /// <summary>The pages (or writers) held out for validation.</summary>
    public IReadOnlyList<string> ValidationPages { get; init; } = [];

    /// <summary>Default share of training lines drawn from the user's lines rather than synthesised.</summary>
    public const double DefaultShare = 0.5;

    /// <summary>
    /// Reads <paramref name="folder"/> (<c>labels.tsv</c>, optional <c>pages.tsv</c>), splits it by page
    /// (<see cref="PageSplit"/>), and normalises every usable line to <paramref name="layout"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">Malformed files or an unreadable image (the message names it), or no usable line on one side.</exception>
    public static OwnLineSet Load(string folder, IReadOnlyList<string> labelNames, CrnnLineLayout layout, double validationFraction, int seed,
        double share = DefaultShare, int? trainingLimit = null, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(labelNames);
        ArgumentNullException.ThrowIfNull(layout);
        if (!(share > 0 && share <= 1)) throw new ArgumentOutOfRangeException(nameof(share), share, "the share of own lines must be in (0, 1].");
        var all = LineLabelsFile.Read(folder);
        var classOf = labelNames.Select((name, index) => (name, index)).ToDictionary(p => p.name, p => p.index, StringComparer.Ordinal);
        // A text's characters as a reader counts them (grapheme clusters, as the line evaluator does), each a label.
        var labelsOf = new Dictionary<LabelledLine, int[]>(ReferenceEqualityComparer.Instance);
        foreach (var line in all)
        {
            var characters = CrnnTextEvaluator.Characters(line.Text);
            var labels = new int[characters.Length];
            bool known = characters.Length > 0;
            for (int i = 0; known && i < characters.Length; i++) known = classOf.TryGetValue(characters[i], out labels[i]);
            if (known) labelsOf[line] = labels;
        }
        var usable = all.Where(labelsOf.ContainsKey).ToList();
        var (training, validation) = PageSplit.Split(usable, validationFraction, seed, trainingLimit);
        if (training.Count == 0 || validation.Count == 0)
            throw new InvalidDataException($"{folder}: {usable.Count} of {all.Count} lines are written with the model's characters only; too few to split by page into training and validation.");
        var chosen = training.Concat(validation).ToArray();
        var read = new SynthesizedLine[chosen.Length];
        int done = 0;
        var reporting = new object();
        try
        {
            Parallel.For(0, chosen.Length, () => (Normalizer: new CrnnLineNormalizer(layout, InkPolarity.Auto, LineCleanup.Default), Image: new GrayImage()),
                (i, _, local) =>
                {
                    CrnnImageDecoder.DecodeFile(chosen[i].ImagePath, CrnnImageDecoder.MaxDecodablePixels, local.Image);
                    var input = local.Normalizer.Normalize(local.Image.Pixels, local.Image.Width, local.Image.Height);
                    read[i] = new SynthesizedLine(input.Pixels, input.Width, input.Height, labelsOf[chosen[i]]);
                    int n = Interlocked.Increment(ref done);
                    if (progress is not null && (n % 64 == 0 || n == chosen.Length))
                        lock (reporting) progress.Report((double)n / chosen.Length); // one report at a time for the caller
                    return local;
                }, _ => { });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // One bad image is reported as itself (naming its file), not wrapped by the parallel loop.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return new OwnLineSet(folder, read[..training.Count], read[training.Count..], share)
        {
            Skipped = all.Count - usable.Count,
            ValidationSource = validation,
            ValidationPages = validation.Select(l => l.Page).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
        };
    }
}
