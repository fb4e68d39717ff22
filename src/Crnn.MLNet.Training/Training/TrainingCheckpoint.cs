using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Crnn.MLNet.Training.Model;
using TorchSharp.Modules;

namespace Crnn.MLNet.Training.Training;

/// <summary>
/// A checkpoint file: a zip holding <c>state.json</c> (<see cref="CheckpointState"/>), the current
/// weights, the best weights so far and the optimiser state. Always written to a temporary file
/// and renamed over the old one, so a crash never leaves a half-written checkpoint.
/// </summary>
public static class TrainingCheckpoint
{
    private const string StateEntry = "state.json";
    private const string WeightsEntry = "weights.bin";
    private const string BestWeightsEntry = "best-weights.bin";
    private const string OptimizerEntry = "optimizer.bin";

    /// <summary>
    /// For checkpoint states, history.json and summary.json. NaN and infinities are written as "NaN", "Infinity" and
    /// "-Infinity" (and read back): a validation loss may overflow, and a run's record must still be written.
    /// </summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes a checkpoint atomically.</summary>
    public static void Save(string path, CheckpointState state, CrnnClassifier model, byte[] bestWeights, OptimizerHelper optimizer)
    {
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var s = zip.CreateEntry(StateEntry, CompressionLevel.Fastest).Open())
                JsonSerializer.Serialize(s, state, Json);
            using (var s = zip.CreateEntry(WeightsEntry, CompressionLevel.NoCompression).Open())
                s.Write(WeightsToBytes(model));
            using (var s = zip.CreateEntry(BestWeightsEntry, CompressionLevel.NoCompression).Open())
                s.Write(bestWeights);
            using (var s = zip.CreateEntry(OptimizerEntry, CompressionLevel.NoCompression).Open())
            using (var w = new BinaryWriter(s))
                optimizer.save_state_dict(w);
        });
    }

    /// <summary>Reads the state of a checkpoint; a corrupt or foreign file gives an error naming it.</summary>
    public static CheckpointState ReadState(string path)
    {
        using var zip = Open(path);
        return ReadStateFrom(zip, path);
    }

    /// <summary>Builds the checkpoint's model with its best (or current) weights, in eval mode.</summary>
    public static (CrnnClassifier Model, CheckpointState State) LoadModel(string path, bool best = true)
    {
        using var zip = Open(path);
        var state = ReadStateFrom(zip, path);
        var model = new CrnnClassifier(state.Architecture);
        LoadWeights(model, ReadEntry(zip, best ? BestWeightsEntry : WeightsEntry, path), path);
        model.eval();
        return (model, state);
    }

    /// <summary>Restores current weights and optimiser state for <c>--resume</c>.</summary>
    public static byte[] Restore(string path, CrnnClassifier model, OptimizerHelper optimizer)
    {
        using var zip = Open(path);
        LoadWeights(model, ReadEntry(zip, WeightsEntry, path), path);
        byte[] optimizerBytes = ReadEntry(zip, OptimizerEntry, path);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(optimizerBytes));
            optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: optimiser state does not fit this model: {e.Message}", e);
        }
        return ReadEntry(zip, BestWeightsEntry, path);
    }

    /// <summary>The model's weights as bytes (TorchSharp's format).</summary>
    public static byte[] WeightsToBytes(CrnnClassifier model) => ModuleToBytes(model);

    /// <summary>Any module's weights as bytes (TorchSharp's format).</summary>
    internal static byte[] ModuleToBytes(TorchSharp.torch.nn.Module model)
    {
        using var ms = new MemoryStream();
        model.save(ms);
        return ms.ToArray();
    }

    /// <summary>Loads weights saved by <see cref="WeightsToBytes"/>; a mismatch is an error naming <paramref name="source"/>.</summary>
    public static void LoadWeights(CrnnClassifier model, byte[] weights, string source) =>
        LoadModuleWeights(model, weights, source, model.Architecture.ToString());

    /// <summary>Loads weights into any module; a mismatch is an error naming <paramref name="source"/> and <paramref name="architecture"/>.</summary>
    internal static void LoadModuleWeights(TorchSharp.torch.nn.Module model, byte[] weights, string source, string architecture)
    {
        try
        {
            model.load(new MemoryStream(weights), strict: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{source}: weights do not match architecture '{architecture}': {e.Message}", e);
        }
    }

    internal static ZipArchive Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint not found.", path);
        try
        {
            return new ZipArchive(File.OpenRead(path), ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: not a Crnn.MLNet checkpoint (corrupt or truncated): {e.Message}", e);
        }
    }

    private static CheckpointState ReadStateFrom(ZipArchive zip, string path)
    {
        CheckpointState? state;
        try
        {
            state = JsonSerializer.Deserialize<CheckpointState>(ReadEntry(zip, StateEntry, path), Json);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: checkpoint state is not valid: {e.Message}", e);
        }
        if (state is null) throw new InvalidDataException($"{path}: checkpoint state is empty.");
        if (state.FormatVersion != CheckpointState.CurrentFormatVersion)
            throw new InvalidDataException($"{path}: checkpoint format {state.FormatVersion} is not supported (expected {CheckpointState.CurrentFormatVersion}).");
        if (state.LabelNames.Count != state.Architecture.ClassCount)
            throw new InvalidDataException($"{path}: {state.LabelNames.Count} labels but the architecture has {state.Architecture.ClassCount} classes.");
        return state;
    }

    internal static byte[] ReadEntry(ZipArchive zip, string name, string path)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"{path}: not a Crnn.MLNet checkpoint (no '{name}').");
        if (entry.Length > 2L << 30) throw new InvalidDataException($"{path}: entry '{name}' is implausibly large ({entry.Length} bytes).");
        try
        {
            using var s = entry.Open();
            using var ms = new MemoryStream((int)entry.Length);
            s.CopyTo(ms);
            return ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: entry '{name}' is corrupt: {e.Message}", e);
        }
    }
}
