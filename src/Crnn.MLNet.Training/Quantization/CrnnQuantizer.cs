using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Export;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Crnn.MLNet.Training.Quantization;

/// <summary>
/// Static post-training quantisation of a CRNN classifier to int8 (QDQ form): activation ranges calibrated on training
/// images with each <see cref="CalibrationMethod"/>, every candidate scored on held-out images, the most accurate
/// written (atomically) with how it was made in the model's metadata. Needs ONNX Runtime only, no LibTorch.
/// </summary>
public static class CrnnQuantizer
{
    /// <summary>Metadata key of the architecture summary, which gains an "int8" note.</summary>
    private const string ArchitectureKey = "crnn.architecture";

    /// <param name="modelPath">A float classifier written by crnn (train, export or ensemble).</param>
    /// <param name="calibration">Images whose activations set the ranges (training images; a seeded sample of <see cref="CrnnQuantizationOptions.CalibrationImages"/> is used).</param>
    /// <param name="validation">Labelled images, not used for calibration, on which the candidates are compared.</param>
    /// <exception cref="InvalidDataException">The model is not a float crnn classifier, or the images do not fit it.</exception>
    public static CrnnQuantizationReport Quantize(string modelPath, CharacterDataset calibration, CharacterDataset validation, string outputPath,
        CrnnQuantizationOptions? options = null, IProgress<CrnnExportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        options ??= new CrnnQuantizationOptions();
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"{modelPath}: model file not found.", modelPath);
        if (Path.GetFullPath(modelPath) == Path.GetFullPath(outputPath))
            throw new ArgumentException($"the output {outputPath} would overwrite the model it is made from; choose another file.", nameof(outputPath));

        byte[] floatBytes = File.ReadAllBytes(modelPath);
        var model = Parse(floatBytes, modelPath);
        using var floatModel = CrnnOnnxModel.FromBytes(floatBytes, modelPath);
        var metadata = floatModel.Metadata;
        CheckImages(calibration, floatModel, "calibration");
        CheckImages(validation, floatModel, "validation");
        int[] validationLabels = ModelLabels(validation, floatModel);

        void Report(string stage, double fraction) => progress?.Report(new CrnnExportProgress(stage, fraction));
        // Seeded random samples, not the first images: a folder dataset lists its images class by class.
        int[] calibrationIndices = Sample(calibration.Count, options.CalibrationImages, seed: 1);
        int[] validationIndices = Sample(validation.Count, options.ValidationImages, seed: 2);
        int calibrationCount = calibrationIndices.Length, validationCount = validationIndices.Length;
        float[] calibrationInputs = Normalize(calibration, calibrationIndices, metadata);
        float[] validationInputs = Normalize(validation, validationIndices, metadata);
        int[] labels = validationIndices.Select(i => validationLabels[i]).ToArray();

        // Calibration: every ReLU that follows a Conv is the output of a quantised convolution.
        var activations = ConvReluOutputs(model);
        if (activations.Count == 0) throw new InvalidDataException($"{modelPath}: no Conv -> Relu in the graph; this is not a CRNN classifier the quantiser knows.");
        var histograms = Calibrate(model, activations, calibrationInputs, calibrationCount, floatModel.InputSize, options.BatchSize,
            (f, s) => Report(s, 0.35 * f), cancellationToken);

        float lo = (float)((0 - metadata.Normalization.Mean) / metadata.Normalization.Std);
        float hi = (float)((1 - metadata.Normalization.Mean) / metadata.Normalization.Std);
        var floatProbabilities = new float[validationCount * floatModel.ClassCount];
        var floatResult = Evaluate("float32", null, false, floatModel, validationInputs, labels, floatProbabilities, null, options.BatchSize);

        bool hasLstm = model.Graph.Node.Any(n => n.OpType == "LSTM");
        var recurrentForms = options.Recurrent switch
        {
            RecurrentQuantization.Float => [false],
            RecurrentQuantization.Dynamic => [true],
            _ => hasLstm ? new[] { false, true } : [false],
        };
        if (options.Recurrent == RecurrentQuantization.Dynamic && !hasLstm)
            throw new InvalidDataException($"{modelPath}: dynamic recurrent quantisation needs an LSTM; this model has none (a GRU stays in float).");

        var candidates = new List<(QuantizationCandidate Result, ModelProto Model, Dictionary<string, float> Thresholds)>();
        int total = options.Methods.Count * recurrentForms.Length, done = 0;
        foreach (var method in options.Methods)
        {
            var thresholds = histograms.ToDictionary(h => h.Tensor, h => h.Threshold(method, options.Percentile), StringComparer.Ordinal);
            foreach (bool dynamic in recurrentForms)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string name = Name(method, dynamic);
                Report($"measuring {name}", 0.35 + 0.6 * done / total);
                var quantised = QdqModelBuilder.Build(model, (lo, hi), thresholds, options.WeightBits, dynamic);
                using var candidate = CrnnOnnxModel.FromBytes(quantised.ToByteArray(), $"{modelPath} ({name})");
                var result = Evaluate(name, method, dynamic, candidate, validationInputs, labels, null, floatProbabilities, options.BatchSize);
                candidates.Add((result, quantised, thresholds));
                done++;
            }
        }

        var chosen = Choose(candidates.Select(c => c.Result).ToList(), options.AccuracyTolerance);
        var (_, chosenModel, chosenThresholds) = candidates.Single(c => ReferenceEquals(c.Result, chosen));
        SetMetadata(chosenModel, metadata, chosen, candidates.Select(c => c.Result).ToList(), floatResult, options, calibrationCount, validationCount, floatBytes);
        byte[] bytes = chosenModel.ToByteArray();
        Report("writing", 0.95);
        AtomicFile.Write(outputPath, bytes);
        Report("done", 1);
        return new CrnnQuantizationReport(modelPath, outputPath, calibrationCount, validationCount, options.WeightBits, floatResult,
            candidates.Select(c => c.Result).ToList(), chosen, chosenThresholds, floatBytes.Length, bytes.Length);
    }

    /// <summary>
    /// The most accurate calibration (lower log-loss breaks ties) among the float-recurrent forms; then the
    /// dynamic-recurrent form of that calibration instead if it is faster and within <paramref name="tolerance"/>.
    /// </summary>
    internal static QuantizationCandidate Choose(IReadOnlyList<QuantizationCandidate> candidates, double tolerance)
    {
        static QuantizationCandidate Best(IEnumerable<QuantizationCandidate> c) =>
            c.OrderByDescending(r => r.Accuracy).ThenBy(r => r.LogLoss).First();
        var floatForms = candidates.Where(c => !c.DynamicRecurrent).ToList();
        var best = Best(floatForms.Count > 0 ? floatForms : candidates);
        var dynamic = candidates.FirstOrDefault(c => c.DynamicRecurrent && c.Method == best.Method && !best.DynamicRecurrent);
        return dynamic is not null && dynamic.Accuracy >= best.Accuracy - tolerance && dynamic.ImagesPerSecond > best.ImagesPerSecond ? dynamic : best;
    }

    private static string Name(CalibrationMethod method, bool dynamic) =>
        method.ToString().ToLowerInvariant() + (dynamic ? " + dynamic LSTM" : "");

    private static ModelProto Parse(byte[] bytes, string source)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{source}: not an ONNX model ({e.Message}).", e);
        }
        if (model.MetadataProps.All(p => p.Key != CrnnModelMetadata.MetadataKey))
            throw new InvalidDataException($"{source}: no '{CrnnModelMetadata.MetadataKey}' metadata: not a model written by crnn.");
        var quantisedOp = model.Graph.Node.FirstOrDefault(n => n.OpType is "QuantizeLinear" or "DequantizeLinear" or "DynamicQuantizeLSTM" or "QLinearConv");
        if (quantisedOp is not null)
            throw new InvalidDataException($"{source}: already quantised (node '{quantisedOp.Name}' is {quantisedOp.OpType}); quantise the float model it came from.");
        return model;
    }

    private static void CheckImages(CharacterDataset data, CrnnOnnxModel model, string role)
    {
        if (data.Count == 0) throw new InvalidDataException($"{data.Name}: the {role} set is empty.");
        if (data.Height != model.InputHeight || data.Width != model.InputWidth)
            throw new InvalidDataException($"{data.Name}: {role} images are {data.Width}x{data.Height}, the model {model.Source} expects {model.InputWidth}x{model.InputHeight}.");
    }

    /// <summary>Each image's label as the model's class index (labels matched by text).</summary>
    private static int[] ModelLabels(CharacterDataset data, CrnnOnnxModel model)
    {
        var index = model.Labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        var map = new int[data.ClassCount];
        for (int c = 0; c < data.ClassCount; c++) map[c] = index.GetValueOrDefault(data.LabelNames[c], -1);
        var result = new int[data.Count];
        for (int i = 0; i < data.Count; i++)
        {
            result[i] = map[data.Labels[i]];
            if (result[i] < 0)
                throw new InvalidDataException($"{data.Name}: label '{data.LabelNames[data.Labels[i]]}' (image {i}) is not among the model's {model.Labels.Count} labels.");
        }
        return result;
    }

    /// <summary><paramref name="wanted"/> distinct indices below <paramref name="total"/> (all of them if fewer), drawn with a fixed seed.</summary>
    internal static int[] Sample(int total, int wanted, int seed)
    {
        var all = Enumerable.Range(0, total).ToArray();
        if (wanted >= total) return all;
        new Random(seed).Shuffle(all);
        return all[..wanted];
    }

    /// <summary>The model's inputs for the images at <paramref name="indices"/>, normalised as the recogniser and the ML.NET transform do.</summary>
    private static float[] Normalize(CharacterDataset data, int[] indices, CrnnModelMetadata metadata)
    {
        int size = metadata.Input.Height * metadata.Input.Width;
        var inputs = new float[indices.Length * size];
        // A normaliser keeps scratch buffers: one per worker thread.
        Parallel.For(0, indices.Length, () => new HandwritingNormalizer(metadata), (i, _, normalizer) =>
        {
            normalizer.Normalize(data.Image(indices[i]), data.Width, data.Height, inputs.AsSpan(i * size, size));
            return normalizer;
        }, _ => { });
        return inputs;
    }

    private static List<string> ConvReluOutputs(ModelProto model)
    {
        var producers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in model.Graph.Node)
            foreach (string output in node.Output) producers[output] = node.OpType;
        return model.Graph.Node.Where(n => n.OpType == "Relu" && producers.GetValueOrDefault(n.Input[0]) == "Conv").Select(n => n.Output[0]).ToList();
    }

    /// <summary>Runs the float model with its ReLU outputs exposed, twice over the images: ranges, then histograms.</summary>
    private static List<ActivationHistogram> Calibrate(ModelProto model, List<string> activations, float[] inputs, int count, int inputSize,
        int batchSize, Action<double, string> report, CancellationToken cancellationToken)
    {
        var probe = model.Clone();
        foreach (string name in activations)
            probe.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(probe.ToByteArray(), sessionOptions);
        string inputName = model.Graph.Input[0].Name;
        using var runOptions = new RunOptions();
        var histograms = activations.Select(a => new ActivationHistogram(a)).ToList();
        int height = (int)model.Graph.Input[0].Type.TensorType.Shape.Dim[2].DimValue, width = (int)model.Graph.Input[0].Type.TensorType.Shape.Dim[3].DimValue;
        for (int pass = 0; pass < 2; pass++)
        {
            for (int start = 0; start < count; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = Math.Min(batchSize, count - start);
                using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                    inputs.AsMemory(start * inputSize, n * inputSize), [n, 1, height, width]);
                using var outputs = session.Run(runOptions, [inputName], [input], activations);
                for (int i = 0; i < histograms.Count; i++)
                {
                    var values = outputs[i].GetTensorDataAsSpan<float>();
                    if (pass == 0) histograms[i].ObserveMax(values);
                    else histograms[i].Add(values);
                }
                report((pass + (double)(start + n) / count) / 2, pass == 0 ? "calibrating: ranges" : "calibrating: histograms");
            }
        }
        return histograms;
    }

    private static QuantizationCandidate Evaluate(string name, CalibrationMethod? method, bool dynamic, CrnnOnnxModel model, float[] inputs,
        int[] labels, float[]? keepProbabilities, float[]? reference, int batchSize)
    {
        int classes = model.ClassCount, size = model.InputSize, count = labels.Length;
        var probabilities = keepProbabilities ?? new float[count * classes];
        model.Run(inputs.AsMemory(0, Math.Min(batchSize, count) * size), Math.Min(batchSize, count), probabilities); // warm-up
        long t0 = Stopwatch.GetTimestamp();
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            model.Run(inputs.AsMemory(start * size, n * size), n, probabilities.AsMemory(start * classes, n * classes));
        }
        double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        int correct = 0, agree = 0;
        double logLoss = 0, maxDelta = 0;
        for (int i = 0; i < count; i++)
        {
            var p = probabilities.AsSpan(i * classes, classes);
            int top = CrnnArgMax.Of(p, dense: true);
            if (top == labels[i]) correct++;
            logLoss -= Math.Log(Math.Max(p[labels[i]], 1e-15));
            if (reference is null) continue;
            var r = reference.AsSpan(i * classes, classes);
            if (top == CrnnArgMax.Of(r, dense: true)) agree++;
            for (int c = 0; c < classes; c++) maxDelta = Math.Max(maxDelta, Math.Abs(p[c] - r[c]));
        }
        return new QuantizationCandidate(name, method, dynamic, (double)correct / count, logLoss / count,
            reference is null ? 1 : (double)agree / count, maxDelta, count / seconds);
    }

    private static void SetMetadata(ModelProto model, CrnnModelMetadata metadata, QuantizationCandidate chosen, List<QuantizationCandidate> candidates,
        QuantizationCandidate floatResult, CrnnQuantizationOptions options, int calibrationCount, int validationCount, byte[] floatBytes)
    {
        static JsonElement J<T>(T value) => JsonSerializer.SerializeToElement(value);
        var quantization = new Dictionary<string, JsonElement>
        {
            ["format"] = J("QDQ"),
            ["weights"] = J($"int8, symmetric per output channel, {options.WeightBits}-bit range (±{(1 << (options.WeightBits - 1)) - 1})"),
            ["activations"] = J("uint8 per tensor (ReLU outputs from 0)"),
            ["calibration"] = J(chosen.Method!.Value.ToString().ToLowerInvariant()),
            ["calibrationImages"] = J(calibrationCount),
            ["recurrent"] = J(chosen.DynamicRecurrent ? "int8 weights, dynamic (com.microsoft.DynamicQuantizeLSTM)" : "float32"),
            ["validationImages"] = J(validationCount),
            ["validationAccuracy"] = J(candidates.ToDictionary(c => c.Name, c => Math.Round(c.Accuracy, 6))),
            ["floatValidationAccuracy"] = J(Math.Round(floatResult.Accuracy, 6)),
            ["floatSha256"] = J(Convert.ToHexStringLower(SHA256.HashData(floatBytes))),
        };
        if (chosen.Method == CalibrationMethod.Percentile) quantization["percentile"] = J(options.Percentile);
        var updated = metadata with { Quantization = quantization };
        foreach (var entry in model.MetadataProps)
        {
            if (entry.Key == CrnnModelMetadata.MetadataKey) entry.Value = updated.ToJson();
            else if (entry.Key == ArchitectureKey) entry.Value += $" (int8 {chosen.Name})";
        }
        model.DocString = $"int8 (QDQ) form of: {model.DocString}";
    }
}
