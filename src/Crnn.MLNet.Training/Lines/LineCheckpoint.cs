using System.IO.Compression;
using System.Text.Json;
using Crnn.MLNet.Training.Model;
using Crnn.MLNet.Training.Training;
using TorchSharp.Modules;

namespace Crnn.MLNet.Training.Lines;

/// <summary>
/// A line-model checkpoint: a zip with <c>state.json</c> (<see cref="LineCheckpointState"/>), current weights, best
/// weights and optimiser state, written atomically like <see cref="TrainingCheckpoint"/>.
/// </summary>
public static class LineCheckpoint
{
    private const string StateEntry = "state.json";
    private const string WeightsEntry = "weights.bin";
    private const string BestWeightsEntry = "best-weights.bin";
    private const string OptimizerEntry = "optimizer.bin";

    /// <summary>Writes a checkpoint atomically.</summary>
    public static void Save(string path, LineCheckpointState state, CrnnLineModel model, byte[] bestWeights, OptimizerHelper optimizer)
    {
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var s = zip.CreateEntry(StateEntry, CompressionLevel.Fastest).Open())
                JsonSerializer.Serialize(s, state, TrainingCheckpoint.Json);
            using (var s = zip.CreateEntry(WeightsEntry, CompressionLevel.NoCompression).Open())
                s.Write(TrainingCheckpoint.ModuleToBytes(model));
            using (var s = zip.CreateEntry(BestWeightsEntry, CompressionLevel.NoCompression).Open())
                s.Write(bestWeights);
            using (var s = zip.CreateEntry(OptimizerEntry, CompressionLevel.NoCompression).Open())
            using (var w = new BinaryWriter(s))
                optimizer.save_state_dict(w);
        });
    }

    /// <summary>
    /// Writes a compact copy of the checkpoint at <paramref name="sourcePath"/> for fine-tuning only (<c>--init-from</c>):
    /// its state and best weights, without the current weights and optimiser state (a quarter of the size). A
    /// shipped model's seed, so users can fine-tune it on their own lines without the run's whole checkpoint.
    /// </summary>
    public static void SaveFineTuningSeed(string sourcePath, string path)
    {
        var state = ReadState(sourcePath);
        byte[] best;
        using (var source = TrainingCheckpoint.Open(sourcePath)) best = TrainingCheckpoint.ReadEntry(source, BestWeightsEntry, sourcePath);
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var s = zip.CreateEntry(StateEntry, CompressionLevel.Fastest).Open())
                JsonSerializer.Serialize(s, state, TrainingCheckpoint.Json);
            using (var s = zip.CreateEntry(BestWeightsEntry, CompressionLevel.NoCompression).Open())
                s.Write(best);
        });
    }

    /// <summary>Whether a checkpoint file is a line model's (false for a classifier's); errors name the file.</summary>
    public static bool IsLineCheckpoint(string path)
    {
        using var zip = TrainingCheckpoint.Open(path);
        using var doc = JsonDocument.Parse(TrainingCheckpoint.ReadEntry(zip, StateEntry, path));
        return doc.RootElement.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String && kind.GetString() == LineCheckpointState.KindName;
    }

    /// <summary>Reads the state; a classifier checkpoint, a corrupt or a foreign file gives an error naming it.</summary>
    public static LineCheckpointState ReadState(string path)
    {
        using var zip = TrainingCheckpoint.Open(path);
        return ReadStateFrom(zip, path);
    }

    /// <summary>Builds the checkpoint's model with its best (or current) weights, in eval mode.</summary>
    public static (CrnnLineModel Model, LineCheckpointState State) LoadModel(string path, bool best = true)
    {
        using var zip = TrainingCheckpoint.Open(path);
        var state = ReadStateFrom(zip, path);
        var model = new CrnnLineModel(state.Architecture);
        LoadWeights(model, TrainingCheckpoint.ReadEntry(zip, best ? BestWeightsEntry : WeightsEntry, path), path);
        model.eval();
        return (model, state);
    }

    /// <summary>Restores current weights and optimiser state for a resume; returns the best weights so far.</summary>
    public static byte[] Restore(string path, CrnnLineModel model, OptimizerHelper optimizer)
    {
        using var zip = TrainingCheckpoint.Open(path);
        if (zip.GetEntry(OptimizerEntry) is null)
            throw new InvalidDataException($"{path}: a fine-tuning seed (best weights only) cannot be resumed: start a run from it with --init-from.");
        LoadWeights(model, TrainingCheckpoint.ReadEntry(zip, WeightsEntry, path), path);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(TrainingCheckpoint.ReadEntry(zip, OptimizerEntry, path)));
            optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not InvalidDataException)
        {
            throw new InvalidDataException($"{path}: optimiser state does not fit this model: {e.Message}", e);
        }
        return TrainingCheckpoint.ReadEntry(zip, BestWeightsEntry, path);
    }

    public static void LoadWeights(CrnnLineModel model, byte[] weights, string source) =>
        TrainingCheckpoint.LoadModuleWeights(model, weights, source, model.Architecture.ToString());

    private static LineCheckpointState ReadStateFrom(ZipArchive zip, string path)
    {
        byte[] json = TrainingCheckpoint.ReadEntry(zip, StateEntry, path);
        LineCheckpointState? state;
        try
        {
            using (var doc = JsonDocument.Parse(json))
                if (!doc.RootElement.TryGetProperty("kind", out var kind) || kind.GetString() != LineCheckpointState.KindName)
                    throw new InvalidDataException($"{path}: this is a character classifier checkpoint, not a line model's (use 'crnn export', not 'crnn train-lines').");
            state = JsonSerializer.Deserialize<LineCheckpointState>(json, TrainingCheckpoint.Json);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: line checkpoint state is not valid: {e.Message}", e);
        }
        if (state is null) throw new InvalidDataException($"{path}: checkpoint state is empty.");
        if (state.FormatVersion != LineCheckpointState.CurrentFormatVersion)
            throw new InvalidDataException($"{path}: line checkpoint format {state.FormatVersion} is not supported (expected {LineCheckpointState.CurrentFormatVersion}).");
        if (state.LabelNames.Count + 1 != state.Architecture.ClassCount)
            throw new InvalidDataException($"{path}: {state.LabelNames.Count} labels + blank but the architecture has {state.Architecture.ClassCount} classes.");
        return state;
    }
}
