using System.Text.Json;

namespace Crnn.MLNet.Cli.Tests.Batch;

/// <summary>A batch job's results file read back: one parsed row per line, every line checked to be whole JSON.</summary>
internal static class ResultRows
{
    public static List<JsonElement> Read(string path)
    {
        string text = File.ReadAllText(path);
        Assert.True(text.Length == 0 || text.EndsWith('\n'), $"{path} ends in an unfinished line");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    public static string Path(JsonElement row) => row.GetProperty("path").GetString()!;

    public static JsonElement State(string results) => JsonDocument.Parse(File.ReadAllText(results + ".state.json")).RootElement.Clone();
}
