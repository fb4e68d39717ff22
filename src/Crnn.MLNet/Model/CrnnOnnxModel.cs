using Microsoft.ML.OnnxRuntime;

namespace Crnn.MLNet.Model;

/// <summary>
/// An opened CRNN ONNX model: one ONNX Runtime session, its validated <see cref="CrnnModelMetadata"/>
/// and the model bytes. Shared by <see cref="Crnn.MLNet.Recognition.CrnnRecognizer"/> and the ML.NET transforms.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="Run"/> may be called from several threads at once (ONNX Runtime sessions
/// allow concurrent runs); each caller passes its own buffers. Dispose only when no run is in progress.
/// Batched scoring in the ML.NET transforms runs several batches at once, one per core, on a second session with
/// one intra-op thread (see <see cref="ConcurrentRuns"/>); it is opened the first time a batched cursor needs it.
/// </remarks>
public sealed class CrnnOnnxModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly string[] _probabilitiesOnly;
    private readonly object _concurrentGate = new();
    private InferenceSession? _concurrentSession;
    private int _disposed;

    private CrnnOnnxModel(byte[] modelBytes, string source, CrnnSessionOptions? options)
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
        }
        catch
        {
            _session.Dispose();
            throw;
        }
        CustomMetadata = new Dictionary<string, string>(_session.ModelMetadata.CustomMetadataMap);
        _inputNames = [Metadata.Input.Name];
        _outputNames = [Metadata.Output.Probabilities, Metadata.Output.Logits];
        _probabilitiesOnly = [Metadata.Output.Probabilities];
        Labels = Metadata.Labels.ToArray();
        // Several single-threaded runs at once use the cores better than one run spread over them (small convolutions
        // synchronise the threads after every operator), unless the caller chose the threads. A GPU takes whole batches.
        ConcurrentRuns = options.IntraOpThreads is null && options.InterOpThreads is null && Device.Kind == CrnnDeviceKind.Cpu
            ? Math.Max(1, Environment.ProcessorCount) : 1;
    }

    /// <summary>Opens a model file. Throws <see cref="InvalidDataException"/> naming the file when it is not a usable CRNN model.</summary>
    public static CrnnOnnxModel Load(string path, CrnnSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new CrnnOnnxModel(OnnxModelLoading.ReadFile(path, options?.Limits ?? CrnnModelLimits.Default), path, options);
    }

    /// <summary>Opens a model from a stream (read to its end). <paramref name="source"/> names it in errors.</summary>
    public static CrnnOnnxModel Load(Stream stream, string source = "model stream", CrnnSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new CrnnOnnxModel(BoundedRead.ReadToEnd(stream, (options?.Limits ?? CrnnModelLimits.Default).MaxModelBytes, source, "model"), source, options);
    }

    /// <summary>Opens a model from its bytes (not copied: do not change them afterwards).</summary>
    public static CrnnOnnxModel FromBytes(byte[] modelBytes, string source = "model", CrnnSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        return new CrnnOnnxModel(modelBytes, source, options);
    }

    /// <summary>Reads and validates only the metadata of a model file (opens a session to do so).</summary>
    public static CrnnModelMetadata ReadMetadata(string path)
    {
        using var model = Load(path);
        return model.Metadata;
    }

    /// <summary>Where the model came from (file path or a name given by the caller), for messages.</summary>
    public string Source { get; }

    /// <summary>The model's self-description.</summary>
    public CrnnModelMetadata Metadata { get; }

    /// <summary>Where ONNX Runtime runs this model: the requested <see cref="CrnnSessionOptions.Device"/>, or the CPU after a fallback.</summary>
    public CrnnDevice Device { get; }

    /// <summary>Class labels in output order.</summary>
    public IReadOnlyList<string> Labels { get; }

    public int ClassCount => Labels.Count;
    public int InputHeight => Metadata.Input.Height;
    public int InputWidth => Metadata.Input.Width;

    /// <summary>Floats per image in the input tensor (Height x Width).</summary>
    public int InputSize => Metadata.Input.Height * Metadata.Input.Width;

    /// <summary>All ONNX <c>metadata_props</c> entries.</summary>
    public IReadOnlyDictionary<string, string> CustomMetadata { get; }

    /// <summary>The ONNX file's bytes (for saving the model inside an ML.NET pipeline).</summary>
    internal byte[] ModelBytes { get; }

    /// <summary>
    /// Batches a batched cursor scores at the same time, each with one intra-op thread: one per logical core with the
    /// default session options, 1 (one run at a time on the main session) when the caller set the thread counts.
    /// Across all cursors of the process, such runs execute one per core at most (<see cref="CpuRunGate"/>).
    /// </summary>
    internal int ConcurrentRuns { get; }

    /// <summary>
    /// Scores <paramref name="count"/> normalised inputs laid out one after the other in <paramref name="inputs"/>
    /// (<see cref="InputSize"/> floats each) and writes <c>count x ClassCount</c> probabilities (and logits when
    /// <paramref name="logits"/> is not empty). One ONNX Runtime run for the whole batch.
    /// </summary>
    public void Run(ReadOnlyMemory<float> inputs, int count, Memory<float> probabilities, Memory<float> logits = default) =>
        RunOn(_session, inputs, count, probabilities, logits);

    /// <summary><see cref="Run(ReadOnlyMemory{float}, int, Memory{float}, Memory{float})"/> on the single-threaded session, for one of <see cref="ConcurrentRuns"/> runs at once.</summary>
    internal void RunConcurrent(ReadOnlyMemory<float> inputs, int count, Memory<float> probabilities, Memory<float> logits)
    {
        var session = ConcurrentSession();
        CpuRunGate.Run(() => RunOn(session, inputs, count, probabilities, logits));
    }

    private void RunOn(InferenceSession session, ReadOnlyMemory<float> inputs, int count, Memory<float> probabilities, Memory<float> logits)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "must be positive");
        if (inputs.Length < count * InputSize)
            throw new ArgumentException($"inputs hold {inputs.Length} floats, {count} images need {count * InputSize}.", nameof(inputs));
        if (probabilities.Length < count * ClassCount)
            throw new ArgumentException($"probabilities hold {probabilities.Length} floats, {count} images need {count * ClassCount}.", nameof(probabilities));
        bool wantLogits = !logits.IsEmpty;
        if (wantLogits && logits.Length < count * ClassCount)
            throw new ArgumentException($"logits hold {logits.Length} floats, {count} images need {count * ClassCount}.", nameof(logits));

        // ORT only reads the input; the cast is the documented way to hand it read-only memory without a copy.
        var inputMemory = System.Runtime.InteropServices.MemoryMarshal.AsMemory(inputs[..(count * InputSize)]);
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, inputMemory,
            [count, 1, InputHeight, InputWidth]);
        using var probs = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, probabilities[..(count * ClassCount)], [count, ClassCount]);
        using var logs = wantLogits
            ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, logits[..(count * ClassCount)], [count, ClassCount])
            : null;
        try
        {
            if (wantLogits)
                session.Run(s_runOptions, _inputNames, [input], _outputNames, [probs, logs!]);
            else
                session.Run(s_runOptions, _inputNames, [input], _probabilitiesOnly, [probs]);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException($"{Source}: ONNX Runtime failed to score a batch of {count}: {OneLine(e.Message)}", e);
        }
    }

    /// <summary>
    /// Binds <paramref name="count"/> images' input and outputs over these arrays once, for repeated runs of the same batch
    /// size (<paramref name="logits"/> empty: probabilities only). The arrays stay pinned until the result is disposed.
    /// </summary>
    internal CrnnBoundRun Bind(float[] inputs, int count, float[] probabilities, float[] logits) =>
        BindOn(_session, inputs, count, probabilities, logits);

    /// <summary><see cref="Bind"/> on the single-threaded session, for one of <see cref="ConcurrentRuns"/> runs at once.</summary>
    internal CrnnBoundRun BindConcurrent(float[] inputs, int count, float[] probabilities, float[] logits) =>
        BindOn(ConcurrentSession(), inputs, count, probabilities, logits);

    private CrnnBoundRun BindOn(InferenceSession session, float[] inputs, int count, float[] probabilities, float[] logits)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (count <= 0 || inputs.Length < count * InputSize || probabilities.Length < count * ClassCount
            || (logits.Length > 0 && logits.Length < count * ClassCount))
            throw new ArgumentException($"buffers too small for a batch of {count}.");
        return new CrnnBoundRun(this, session, inputs, count, probabilities, logits);
    }

    internal void RunBound(CrnnBoundRun bound)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            // Runs on the single-threaded session take a core from the process-wide gate.
            if (ReferenceEquals(bound.Session, Volatile.Read(ref _concurrentSession))) CpuRunGate.Run(() => bound.Session.RunWithBinding(s_runOptions, bound.Binding));
            else bound.Session.RunWithBinding(s_runOptions, bound.Binding);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException($"{Source}: ONNX Runtime failed to score a batch of {bound.Count}: {OneLine(e.Message)}", e);
        }
    }

    private static readonly RunOptions s_runOptions = new();

    /// <summary>The same model with one intra-op thread on the CPU, opened on first use (only CPU models run concurrently).</summary>
    private InferenceSession ConcurrentSession()
    {
        if (Volatile.Read(ref _concurrentSession) is { } ready) return ready;
        lock (_concurrentGate)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_concurrentSession is null)
            {
                using var so = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
                Volatile.Write(ref _concurrentSession, new InferenceSession(ModelBytes, so));
            }
            return _concurrentSession!;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _session.Dispose();
        lock (_concurrentGate) _concurrentSession?.Dispose();
    }

    private static CrnnModelMetadata ReadMetadata(InferenceSession session, string source, CrnnModelLimits limits)
    {
        var map = session.ModelMetadata.CustomMetadataMap;
        if (!map.TryGetValue(CrnnModelMetadata.MetadataKey, out var json) || string.IsNullOrWhiteSpace(json))
            throw new InvalidDataException($"{source}: metadata '{CrnnModelMetadata.MetadataKey}' is missing: not a Crnn.MLNet model (export it with 'crnn export').");
        if (CrnnLineModelMetadata.IsLineModel(json))
            throw new InvalidDataException($"{source}: this is a line (CTC) model (task '{CrnnLineModelMetadata.TaskName}'), not a character classifier: read lines with CrnnTextRecognizer, AppendCrnnTextRecognizer or 'crnn read'.");
        return CrnnModelMetadata.FromJson(json, source, limits);
    }


    private static void CheckSignature(InferenceSession session, CrnnModelMetadata m, string source)
    {
        string expectedInput = $"float [N,{m.Input.Channels},{m.Input.Height},{m.Input.Width}]";
        if (!session.InputMetadata.TryGetValue(m.Input.Name, out var input))
            throw new InvalidDataException($"{source}: input '{m.Input.Name}': expected {expectedInput}, but the model has no such input (inputs: {string.Join(", ", session.InputMetadata.Keys)}).");
        if (session.InputMetadata.Count != 1)
            throw new InvalidDataException($"{source}: expected exactly one input '{m.Input.Name}', got {session.InputMetadata.Count}: {string.Join(", ", session.InputMetadata.Keys)}.");
        int[] want = [-1, m.Input.Channels, m.Input.Height, m.Input.Width];
        if (!input.IsTensor || input.ElementType != typeof(float) || !ShapeMatches(input.Dimensions, want))
            throw new InvalidDataException($"{source}: input '{m.Input.Name}': expected {expectedInput}, got {Describe(input)}.");
        foreach (var name in new[] { m.Output.Logits, m.Output.Probabilities })
        {
            string expected = $"float [N,{m.Labels.Count}]";
            if (!session.OutputMetadata.TryGetValue(name, out var output))
                throw new InvalidDataException($"{source}: output '{name}': expected {expected}, but the model has no such output (outputs: {string.Join(", ", session.OutputMetadata.Keys)}).");
            if (!output.IsTensor || output.ElementType != typeof(float) || !ShapeMatches(output.Dimensions, [-1, m.Labels.Count]))
                throw new InvalidDataException($"{source}: output '{name}': expected {expected} (one per label in the metadata), got {Describe(output)}.");
        }
    }

    // want[0] < 0 stands for the batch axis, which must be dynamic (symbolic or -1); the rest must match exactly.
    private static bool ShapeMatches(int[] dims, int[] want)
    {
        if (dims.Length != want.Length || dims[0] > 0) return false;
        for (int i = 1; i < dims.Length; i++)
            if (dims[i] != want[i]) return false;
        return true;
    }

    private static string Describe(NodeMetadata n)
    {
        if (!n.IsTensor) return $"a non-tensor value ({n.OnnxValueType})";
        string type = n.ElementType == typeof(float) ? "float" : n.ElementType.Name.ToLowerInvariant();
        var dims = n.Dimensions.Select((d, i) => d > 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : (n.SymbolicDimensions.Length > i && !string.IsNullOrEmpty(n.SymbolicDimensions[i]) ? n.SymbolicDimensions[i] : "?"));
        return $"{type} [{string.Join(",", dims)}]";
    }

    internal static string OneLine(string s) => OnnxModelLoading.OneLine(s);
}
