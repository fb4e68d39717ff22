using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace Crnn.MLNet.Model;

/// <summary>
/// An opened CRNN line (CTC) ONNX model: one ONNX Runtime session and its validated <see cref="CrnnLineModelMetadata"/>.
/// Shared by <see cref="Recognition.CrnnTextRecognizer"/> and the ML.NET text recogniser.
/// </summary>
/// <remarks>
/// Opening checks the metadata, the graph's signature (input <c>[N,1,Height,W]</c> with N and W dynamic, output
/// <c>[N,T,labels+1]</c>) and, with one run on an empty input of the minimum width, that the model gives
/// <c>T = W / TimeStepWidth</c> time steps as its metadata says.
/// Thread safety: <see cref="Run"/> may be called from several threads at once; each caller passes its own buffers.
/// Dispose only when no run is in progress.
/// </remarks>
public sealed class CrnnLineOnnxModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames, _outputNames;
    private static readonly RunOptions s_runOptions = new();
    private int _disposed;

    private CrnnLineOnnxModel(byte[] modelBytes, string source, CrnnSessionOptions? options)
    {
        Source = source;
        ModelBytes = modelBytes;
        options ??= CrnnSessionOptions.Default;
        var limits = options.Limits ?? CrnnModelLimits.Default;
        limits.Check();
        _session = OnnxModelLoading.CreateSession(modelBytes, source, options, limits, out var device);
        Device = device;
        try
        {
            Metadata = ReadMetadata(_session, source, limits);
            CheckSignature(_session, Metadata, source);
            _inputNames = [Metadata.Input.Name];
            _outputNames = [Metadata.Output.LogProbabilities];
            Labels = Metadata.Labels.ToArray();
            CheckTimeSteps();
        }
        catch
        {
            _session.Dispose();
            throw;
        }
        CustomMetadata = new Dictionary<string, string>(_session.ModelMetadata.CustomMetadataMap);
    }

    /// <summary>Opens a model file. Throws <see cref="InvalidDataException"/> naming the file when it is not a usable line model.</summary>
    public static CrnnLineOnnxModel Load(string path, CrnnSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new CrnnLineOnnxModel(OnnxModelLoading.ReadFile(path, options?.Limits ?? CrnnModelLimits.Default), path, options);
    }

    /// <summary>Opens a model from a stream (read to its end). <paramref name="source"/> names it in errors.</summary>
    public static CrnnLineOnnxModel Load(Stream stream, string source = "model stream", CrnnSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new CrnnLineOnnxModel(BoundedRead.ReadToEnd(stream, (options?.Limits ?? CrnnModelLimits.Default).MaxModelBytes, source, "model"), source, options);
    }

    /// <summary>Opens a model from its bytes (not copied: do not change them afterwards).</summary>
    public static CrnnLineOnnxModel FromBytes(byte[] modelBytes, string source = "model", CrnnSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        return new CrnnLineOnnxModel(modelBytes, source, options);
    }

    /// <summary>Where the model came from (file path or a name given by the caller), for messages.</summary>
    public string Source { get; }

    /// <summary>The model's self-description.</summary>
    public CrnnLineModelMetadata Metadata { get; }

    /// <summary>The ONNX bytes (for the saved form of the ML.NET text recogniser).</summary>
    internal byte[] ModelBytes { get; }

    /// <summary>Where ONNX Runtime runs this model: the requested <see cref="CrnnSessionOptions.Device"/>, or the CPU after a fallback.</summary>
    public CrnnDevice Device { get; }

    /// <summary>The characters the model writes, in output order after the blank (class k + 1 is Labels[k]).</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Output classes per time step: the labels plus the CTC blank (class 0).</summary>
    public int ClassCount => Labels.Count + 1;

    public int InputHeight => Metadata.Input.Height;

    /// <summary>Input columns per output time step.</summary>
    public int TimeStepWidth => Metadata.TimeStepWidth;

    /// <summary>All ONNX <c>metadata_props</c> entries.</summary>
    public IReadOnlyDictionary<string, string> CustomMetadata { get; }

    /// <summary>Output time steps for an input <paramref name="width"/> pixels wide.</summary>
    public int TimeSteps(int width) => width / TimeStepWidth;

    /// <summary>
    /// Scores <paramref name="count"/> normalised lines of the same <paramref name="width"/>, laid out one after the other
    /// in <paramref name="inputs"/> (<c>InputHeight x width</c> floats each, row-major), and writes
    /// <c>count x TimeSteps(width) x ClassCount</c> log-probabilities. One ONNX Runtime run for the whole batch.
    /// </summary>
    public void Run(ReadOnlyMemory<float> inputs, int count, int width, Memory<float> logProbabilities)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "must be positive");
        if (width < TimeStepWidth || width > Metadata.Input.MaxWidth)
            throw new ArgumentOutOfRangeException(nameof(width), width, $"must be in {TimeStepWidth}..{Metadata.Input.MaxWidth} (the model's time step width .. its maximum width)");
        long size = (long)count * InputHeight * width;
        if (inputs.Length < size)
            throw new ArgumentException($"inputs hold {inputs.Length} floats, {count} lines of {InputHeight}x{width} need {size}.", nameof(inputs));
        int steps = TimeSteps(width);
        long outSize = (long)count * steps * ClassCount;
        if (logProbabilities.Length < outSize)
            throw new ArgumentException($"log-probabilities hold {logProbabilities.Length} floats, {count} lines of {steps} steps need {outSize}.", nameof(logProbabilities));

        // ORT only reads the input; the cast is the documented way to hand it read-only memory without a copy.
        var inputMemory = System.Runtime.InteropServices.MemoryMarshal.AsMemory(inputs[..(int)size]);
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, inputMemory, [count, 1, InputHeight, width]);
        using var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, logProbabilities[..(int)outSize], [count, steps, ClassCount]);
        try
        {
            _session.Run(s_runOptions, _inputNames, [input], _outputNames, [output]);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException($"{Source}: ONNX Runtime failed to score {count} line(s) of width {width}: {OneLine(e.Message)}", e);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _session.Dispose();
    }

    private static CrnnLineModelMetadata ReadMetadata(InferenceSession session, string source, CrnnModelLimits limits)
    {
        var map = session.ModelMetadata.CustomMetadataMap;
        if (!map.TryGetValue(CrnnModelMetadata.MetadataKey, out var json) || string.IsNullOrWhiteSpace(json))
            throw new InvalidDataException($"{source}: metadata '{CrnnModelMetadata.MetadataKey}' is missing: not a Crnn.MLNet model.");
        if (!CrnnLineModelMetadata.IsLineModel(json) && IsClassifier(json))
            throw new InvalidDataException($"{source}: this is a character classifier (task 'classification'), not a line model: read single characters with CrnnRecognizer, AppendCrnnClassifier or 'crnn predict'.");
        return CrnnLineModelMetadata.FromJson(json, source, limits);
    }

    private static bool IsClassifier(string json)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json, new System.Text.Json.JsonDocumentOptions { MaxDepth = 16 });
            var root = doc.RootElement;
            return root.ValueKind == System.Text.Json.JsonValueKind.Object
                && (!root.TryGetProperty("task", out var task) || task.ValueKind == System.Text.Json.JsonValueKind.String && task.GetString() == "classification");
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }


    private static void CheckSignature(InferenceSession session, CrnnLineModelMetadata m, string source)
    {
        string expectedInput = $"float [N,1,{m.Input.Height},W] (batch and width dynamic)";
        if (!session.InputMetadata.TryGetValue(m.Input.Name, out var input))
            throw new InvalidDataException($"{source}: input '{m.Input.Name}': expected {expectedInput}, but the model has no such input (inputs: {string.Join(", ", session.InputMetadata.Keys)}).");
        if (session.InputMetadata.Count != 1)
            throw new InvalidDataException($"{source}: expected exactly one input '{m.Input.Name}', got {session.InputMetadata.Count}: {string.Join(", ", session.InputMetadata.Keys)}.");
        var d = input.IsTensor ? input.Dimensions : [];
        if (!input.IsTensor || input.ElementType != typeof(float) || d.Length != 4 || d[0] > 0 || d[1] != 1 || d[2] != m.Input.Height || d[3] > 0)
            throw new InvalidDataException($"{source}: input '{m.Input.Name}': expected {expectedInput}, got {Describe(input)}.");

        string name = m.Output.LogProbabilities;
        string expectedOutput = $"float [N,T,{m.ClassCount}] (batch and time dynamic; {m.Labels.Count} labels + the blank)";
        if (!session.OutputMetadata.TryGetValue(name, out var output))
            throw new InvalidDataException($"{source}: output '{name}': expected {expectedOutput}, but the model has no such output (outputs: {string.Join(", ", session.OutputMetadata.Keys)}).");
        var o = output.IsTensor ? output.Dimensions : [];
        if (!output.IsTensor || output.ElementType != typeof(float) || o.Length != 3 || o[0] > 0 || o[1] > 0 || o[2] != m.ClassCount)
            throw new InvalidDataException($"{source}: output '{name}': expected {expectedOutput}, got {Describe(output)}.");
    }

    // One run at the minimum width, with ONNX Runtime allocating the output, shows the model's real time step count.
    private void CheckTimeSteps()
    {
        int width = Math.Max(Metadata.Input.MinWidth, TimeStepWidth) / TimeStepWidth * TimeStepWidth;
        var x = new float[InputHeight * width];
        Array.Fill(x, (float)(-Metadata.Normalization.Mean / Metadata.Normalization.Std));
        using var input = OrtValue.CreateTensorValueFromMemory(x, [1, 1, InputHeight, width]);
        int[] shape;
        try
        {
            using var results = _session.Run(s_runOptions, _inputNames, [input], _outputNames);
            shape = results[0].GetTensorTypeAndShape().Shape.Select(v => (int)v).ToArray();
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{Source}: ONNX Runtime cannot run the model on an empty line of {InputHeight}x{width}: {OneLine(e.Message)}", e);
        }
        int steps = TimeSteps(width);
        if (shape.Length != 3 || shape[0] != 1 || shape[1] != steps || shape[2] != ClassCount)
            throw new InvalidDataException($"{Source}: output '{Metadata.Output.LogProbabilities}': expected [1,{steps},{ClassCount}] for an input {width} wide (T = W / time step width {TimeStepWidth}), got [{string.Join(",", shape)}].");
    }

    private static string Describe(NodeMetadata n)
    {
        if (!n.IsTensor) return $"a non-tensor value ({n.OnnxValueType})";
        string type = n.ElementType == typeof(float) ? "float" : n.ElementType.Name.ToLowerInvariant();
        var dims = n.Dimensions.Select((d, i) => d > 0 ? d.ToString(CultureInfo.InvariantCulture)
            : (n.SymbolicDimensions.Length > i && !string.IsNullOrEmpty(n.SymbolicDimensions[i]) ? n.SymbolicDimensions[i] : "?"));
        return $"{type} [{string.Join(",", dims)}]";
    }

    private static string OneLine(string s) => OnnxModelLoading.OneLine(s);
}
