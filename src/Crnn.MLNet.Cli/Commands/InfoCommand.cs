using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Native;
using Crnn.MLNet.Training.Native.Backend;
using Microsoft.ML.OnnxRuntime;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// <c>crnn info</c>: the machine and the numeric backends as this project sees them: CPU and vector extensions,
/// cores, OS, .NET, ONNX Runtime, LibTorch, the oneDNN setting the backend check chose and why, and the data and
/// cache folders. Where the check learned that a faster setting may work here but needs a fresh process to try,
/// it tries it in a child process (so every later process starts with the fastest correct setting).
/// </summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show the machine, the numeric backends and the oneDNN setting the backend check chose (first thing to attach to a bug report).");
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        command.Options.Add(json);
        command.SetAction((Func<ParseResult, int>)(parse =>
        {
            TorchRuntime.EnsureInitialized();   // checks this process's setting; calibration of the next ones follows
            var record = new BackendRecord(BackendRecord.DefaultPath);
            string key = BackendRecord.Key(CpuIdentity.Current, TorchRuntime.Versions);
            var tried = TryNextSettings(record, key, parse.InvocationConfiguration.Error);
            var info = Collect(record.Read(key), tried);
            if (parse.GetValue(json)) WriteJson(parse.InvocationConfiguration.Output, info);
            else WriteText(parse.InvocationConfiguration.Output, info);
            return 0;
        }));
        return command;
    }

    private sealed record Info(CpuIdentity Cpu, int Cores, string Os, string DotNet, string OnnxRuntime, string[] OnnxProviders,
        string LibTorch, IReadOnlyList<string> PatchedNatives, TorchBackendStatus Backend, string? UserIsa,
        IReadOnlyDictionary<string, BackendTrial> Trials, string RecordPath, IReadOnlyList<string> TriedInChild,
        string? DataDir, string DatasetCache);

    private static Info Collect(IReadOnlyDictionary<string, BackendTrial> trials, IReadOnlyList<string> triedInChild)
    {
        var ort = OrtEnv.Instance();
        return new Info(CpuIdentity.Current, Environment.ProcessorCount, RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription, ort.GetVersionString(), ort.GetAvailableProviders(),
            TorchRuntime.Versions, TorchRuntime.PatchedFiles, TorchRuntime.Backend!, Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") is { } isa && !IsOurs(isa) ? isa : null,
            trials, BackendRecord.DefaultPath, triedInChild,
            Environment.GetEnvironmentVariable(DatasetLoader.DataDirEnvironmentVariable), DatasetLoader.DefaultCacheDirectory);
    }

    // The backend check sets ONEDNN_MAX_CPU_ISA itself when it restricts oneDNN; only a value it did not set is the user's.
    private static bool IsOurs(string isa) => TorchRuntime.Backend is { UserChosen: false, Setting: { Mode: OneDnnMode.MaxIsa } s } && s.Isa == isa;

    /// <summary>
    /// While the next process would start with a setting nobody has tried on this CPU (an instruction-set limit,
    /// which only a fresh process can try), runs <c>crnn info</c> in a child process to try it. Only from the crnn
    /// command itself, never when the user chose the setting.
    /// </summary>
    private static List<string> TryNextSettings(BackendRecord record, string key, TextWriter error)
    {
        var tried = new List<string>();
        var status = TorchRuntime.Backend!;
        if (status.UserChosen || !BackendCalibration.CanStartChildren) return tried;
        for (int round = 0; round < OneDnnSetting.Ladder.Count; round++)
        {
            var trials = record.Read(key);
            var next = OneDnnSetting.FastestNotKnownWrong(trials);
            if (trials.ContainsKey(next.Name) || next == status.Setting) break;
            error.WriteLine($"crnn info: trying {next.Name} in a child process (it can only be set before LibTorch's first kernel)...");
            if (!BackendCalibration.RunInfoChild(next, marked: true)) break;
            tried.Add(next.Name);
        }
        return tried;
    }

    private static void WriteText(TextWriter o, Info i)
    {
        o.WriteLine($"CPU:          {i.Cpu}");
        o.WriteLine($"Vector ISA:   {string.Join(" ", i.Cpu.VectorExtensions)}");
        o.WriteLine($"Cores:        {i.Cores}");
        o.WriteLine($"OS:           {i.Os}");
        o.WriteLine($".NET:         {i.DotNet}");
        o.WriteLine($"ONNX Runtime: {i.OnnxRuntime} (providers: {string.Join(", ", i.OnnxProviders)})");
        o.WriteLine($"LibTorch:     {i.LibTorch}{(i.PatchedNatives.Count > 0 ? " (GLIBCXX_3.4.32 marked weak in this run)" : "")}");
        o.WriteLine($"oneDNN:       {i.Backend.Setting.Name}{(i.Backend.UserChosen ? " (from your ONEDNN_MAX_CPU_ISA)" : " (chosen by the backend check)")}");
        o.WriteLine($"Check:        {i.Backend.Check.Summary}");
        foreach (var (setting, check) in i.Backend.FailedFirst)
            o.WriteLine($"              {setting.Name} in this process: {check.Summary}");
        o.WriteLine($"Next process: {i.Backend.NextProcess.Name}");
        o.WriteLine($"Known here:   {(i.Trials.Count == 0 ? "nothing recorded" : string.Join("; ", OrderedTrials(i).Select(t => $"{t.Setting} {(t.Passed ? "correct" : "WRONG")} ({t.CheckedAt:yyyy-MM-dd})")))}");
        if (i.TriedInChild.Count > 0) o.WriteLine($"              tried in a child process now: {string.Join(", ", i.TriedInChild)}");
        o.WriteLine($"Record:       {i.RecordPath}");
        o.WriteLine($"Data folder:  {i.DataDir ?? $"(${DatasetLoader.DataDirEnvironmentVariable} not set)"}");
        o.WriteLine($"Data cache:   {i.DatasetCache}");
    }

    private static IEnumerable<BackendTrial> OrderedTrials(Info i) => i.Trials.Values.OrderBy(t => t.Setting, StringComparer.Ordinal);

    private static void WriteJson(TextWriter output, Info i)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, CliJson.Writer))
        {
            json.WriteStartObject();
            json.WriteStartObject("cpu");
            json.WriteString("model", i.Cpu.ModelName);
            json.WriteString("vendor", i.Cpu.Vendor);
            WriteNumber(json, "family", i.Cpu.Family);
            WriteNumber(json, "modelNumber", i.Cpu.Model);
            WriteNumber(json, "stepping", i.Cpu.Stepping);
            json.WriteStartArray("vectorExtensions");
            foreach (string f in i.Cpu.VectorExtensions) json.WriteStringValue(f);
            json.WriteEndArray();
            json.WriteString("fingerprint", i.Cpu.Fingerprint);
            json.WriteEndObject();
            json.WriteNumber("cores", i.Cores);
            json.WriteString("os", i.Os);
            json.WriteString("dotnet", i.DotNet);
            json.WriteStartObject("onnxRuntime");
            json.WriteString("version", i.OnnxRuntime);
            json.WriteStartArray("providers");
            foreach (string p in i.OnnxProviders) json.WriteStringValue(p);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString("libTorch", i.LibTorch);
            json.WriteStartObject("oneDnn");
            json.WriteString("setting", i.Backend.Setting.Name);
            json.WriteBoolean("userChosen", i.Backend.UserChosen);
            if (i.UserIsa is null) json.WriteNull("userIsa"); else json.WriteString("userIsa", i.UserIsa);
            json.WriteString("nextProcess", i.Backend.NextProcess.Name);
            WriteCheck(json, "check", i.Backend.Check);
            json.WriteStartArray("failedInThisProcess");
            foreach (var (setting, check) in i.Backend.FailedFirst)
            {
                json.WriteStartObject();
                json.WriteString("setting", setting.Name);
                WriteCheck(json, "check", check);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("known");
            foreach (var t in OrderedTrials(i))
            {
                json.WriteStartObject();
                json.WriteString("setting", t.Setting);
                json.WriteBoolean("passed", t.Passed);
                json.WriteString("detail", t.Detail);
                json.WriteString("checkedAt", t.CheckedAt);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("triedInChild");
            foreach (string s in i.TriedInChild) json.WriteStringValue(s);
            json.WriteEndArray();
            json.WriteString("record", i.RecordPath);
            json.WriteEndObject();
            json.WriteStartObject("folders");
            if (i.DataDir is null) json.WriteNull("data"); else json.WriteString("data", i.DataDir);
            json.WriteString("datasetCache", i.DatasetCache);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteCheck(Utf8JsonWriter json, string name, NumericsCheckResult check)
    {
        json.WriteStartObject(name);
        json.WriteBoolean("passed", check.Passed);
        json.WriteNumber("milliseconds", Math.Round(check.Elapsed.TotalMilliseconds, 1));
        json.WriteStartArray("items");
        foreach (var item in check.Items)
        {
            json.WriteStartObject();
            json.WriteString("name", item.Name);
            if (double.IsFinite(item.Error)) json.WriteNumber("error", item.Error); else json.WriteString("error", item.Error.ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("tolerance", item.Tolerance);
            json.WriteBoolean("passed", item.Passed);
            if (item.Failure is not null) json.WriteString("failure", item.Failure);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, int? value)
    {
        if (value is int v) json.WriteNumber(name, v); else json.WriteNull(name);
    }
}
