using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crnn.MLNet.Training.Native.Backend;

/// <summary>What one oneDNN setting gave on one kind of CPU.</summary>
public sealed record BackendTrial(string Setting, bool Passed, string Detail, DateTimeOffset CheckedAt);

/// <summary>
/// The backend check's results remembered per CPU kind and LibTorch build, so a process can put the right
/// oneDNN setting in place before LibTorch runs its first kernel (an instruction-set limit cannot change after).
/// Stored as JSON in the user cache, written atomically; a missing or unreadable file is an empty record.
/// </summary>
public sealed class BackendRecord
{
    /// <summary>Bumped when the check changes, so results of an older check are not trusted.</summary>
    public const int CheckVersion = 1;

    public BackendRecord(string path) => Path = path;

    public string Path { get; }

    /// <summary><c>$XDG_CACHE_HOME/crnn-mlnet/torch-backend.json</c>, else <c>~/.cache/crnn-mlnet/torch-backend.json</c>.</summary>
    public static string DefaultPath
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = !string.IsNullOrEmpty(xdg) && System.IO.Path.IsPathFullyQualified(xdg)
                ? xdg
                : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return System.IO.Path.Combine(root, "crnn-mlnet", "torch-backend.json");
        }
    }

    /// <summary>The key of one machine kind: CPU fingerprint, TorchSharp and LibTorch versions, check version.</summary>
    public static string Key(CpuIdentity cpu, string libTorch) => $"{cpu.Fingerprint}|{libTorch}|check{CheckVersion}";

    /// <summary>The trials stored under <paramref name="key"/> (newest per setting); empty when unknown or unreadable.</summary>
    public IReadOnlyDictionary<string, BackendTrial> Read(string key) =>
        Load().Machines.TryGetValue(key, out var machine)
            ? machine.Trials.GroupBy(t => t.Setting).ToDictionary(g => g.Key, g => g.MaxBy(t => t.CheckedAt)!, StringComparer.Ordinal)
            : new Dictionary<string, BackendTrial>();

    /// <summary>Adds a trial under <paramref name="key"/>; a cache that cannot be written is not an error (the next process checks again).</summary>
    public bool TryAdd(string key, string cpu, BackendTrial trial)
    {
        try
        {
            var file = Load();
            if (!file.Machines.TryGetValue(key, out var machine)) file.Machines[key] = machine = new MachineEntry { Cpu = cpu };
            machine.Trials.RemoveAll(t => t.Setting == trial.Setting);
            machine.Trials.Add(trial);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            AtomicFile.WriteAllText(Path, JsonSerializer.Serialize(file, BackendRecordJson.Default.RecordFile));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private RecordFile Load()
    {
        try
        {
            if (File.Exists(Path) && new FileInfo(Path).Length < 1 << 20)
                return JsonSerializer.Deserialize(File.ReadAllText(Path), BackendRecordJson.Default.RecordFile) ?? new RecordFile();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { }
        return new RecordFile();
    }

    internal sealed class RecordFile
    {
        public Dictionary<string, MachineEntry> Machines { get; set; } = new(StringComparer.Ordinal);
    }

    internal sealed class MachineEntry
    {
        public string Cpu { get; set; } = "";
        public List<BackendTrial> Trials { get; set; } = [];
    }
}

/// <summary>Source-generated JSON for <see cref="BackendRecord"/> (works in trimmed and reflection-free hosts too).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BackendRecord.RecordFile))]
internal sealed partial class BackendRecordJson : JsonSerializerContext;
