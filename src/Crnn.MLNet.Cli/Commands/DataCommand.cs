using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Commands;

/// <summary><c>crnn data info</c>: where a dataset's files are, and its counts per split and class.</summary>
internal static class DataCommand
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var data = new Command("data", "Inspect datasets.");
        var info = new Command("info", "Show where a dataset's files were found and its counts per split and per class.");
        var dataset = CommonOptions.Dataset();
        var dataDir = CommonOptions.DataDir();
        var mapping = CommonOptions.Mapping();
        var noDownload = new Option<bool>("--no-download") { Description = "Fail instead of downloading a dataset that is not found locally." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        info.Options.Add(dataset);
        info.Options.Add(dataDir);
        info.Options.Add(mapping);
        info.Options.Add(noDownload);
        info.Options.Add(json);
        data.Subcommands.Add(info);
        info.SetAction((Func<ParseResult, int>)(parse =>
        {
            var request = new DatasetRequest(parse.GetValue(dataset)!, parse.GetValue(dataDir), AllowDownload: !parse.GetValue(noDownload), MappingPath: parse.GetValue(mapping));
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            using var cancel = CancelOnCtrlC();
            var progress = new CliDataProgress(error);
            var location = DatasetLoader.Locate(request, progress: progress, cancellationToken: cancel.Token);
            var splits = location.Splits.Select(s => (Split: s, Data: DatasetLoader.Load(location, s, progress, cancel.Token))).ToArray();
            var labels = DatasetLoader.ReadLabelMapping(location, cancel.Token).Names;
            if (parse.GetValue(json)) WriteJson(output, location, labels, splits);
            else WriteText(output, location, labels, splits);
            return 0;
        }));
        return data;
    }

    /// <summary>Cancels on Ctrl+C so a download stops cleanly and leaves nothing half-written in the cache.</summary>
    public static CtrlCScope CancelOnCtrlC() => new();

    /// <summary>A token cancelled by Ctrl+C while this scope is alive.</summary>
    internal sealed class CtrlCScope : IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private readonly ConsoleCancelEventHandler _handler;

        public CtrlCScope()
        {
            _handler = (_, e) =>
            {
                e.Cancel = true; // let the operation unwind and clean up instead of killing the process
                _cts.Cancel();
            };
            Console.CancelKeyPress += _handler;
        }

        public CancellationToken Token => _cts.Token;

        public void Dispose()
        {
            Console.CancelKeyPress -= _handler;
            _cts.Dispose();
        }
    }

    private static string SourceText(DataSource source) => source switch
    {
        DataSource.DataDirectory => "from --data",
        DataSource.EnvironmentVariable => $"from {DatasetLoader.DataDirEnvironmentVariable}",
        DataSource.Cache => "from the download cache",
        DataSource.Download => "downloaded into the cache",
        _ => "custom dataset folder",
    };

    private static void WriteText(TextWriter output, DatasetLocation location, IReadOnlyList<string> labels,
        (DatasetSplit Split, CharacterDataset Data)[] splits)
    {
        output.WriteLine($"Dataset:  {location.Name}{(location.Descriptor is { } d ? $" - {d.Title}" : "")}");
        output.WriteLine($"Folder:   {location.Folder} ({SourceText(location.Source)})");
        if (location.MappingPath is not null) output.WriteLine($"Mapping:  {location.MappingPath}");
        output.WriteLine($"Classes:  {labels.Count}");
        foreach (var (split, data) in splits)
        {
            var files = location.Files(split)!;
            string source = location.Format == DatasetFormat.ImageFolder
                ? $"image folders under {Path.GetRelativePath(location.Folder, files.ImagesPath)}/"
                : $"{Path.GetFileName(files.ImagesPath)}, {Path.GetFileName(files.LabelsPath)}";
            output.WriteLine($"{Lower(split),-5}  {data.Count.ToString("N0", Invariant),9} images of {data.Height}x{data.Width}  ({source})");
        }
        output.WriteLine();

        var counts = splits.Select(s => s.Data.ClassCounts()).ToArray();
        output.WriteLine($"{"class",5}  " + string.Concat(splits.Select(s => $"{Lower(s.Split),9}  ")) + "label");
        for (int c = 0; c < labels.Count; c++)
            output.WriteLine($"{c,5}  " + string.Concat(counts.Select(k => $"{k[c].ToString("N0", Invariant),9}  ")) + labels[c]);
    }

    private static void WriteJson(TextWriter output, DatasetLocation location, IReadOnlyList<string> labels,
        (DatasetSplit Split, CharacterDataset Data)[] splits)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, CliJson.Writer))
        {
            json.WriteStartObject();
            json.WriteString("name", location.Name);
            json.WriteString("folder", location.Folder);
            json.WriteString("source", JsonNamingPolicy.CamelCase.ConvertName(location.Source.ToString()));
            if (location.MappingPath is null) json.WriteNull("mapping");
            else json.WriteString("mapping", location.MappingPath);
            json.WriteStartArray("labels");
            foreach (string label in labels) json.WriteStringValue(label);
            json.WriteEndArray();
            json.WriteStartObject("splits");
            foreach (var (split, data) in splits)
            {
                var files = location.Files(split)!;
                json.WriteStartObject(Lower(split));
                json.WriteNumber("count", data.Count);
                json.WriteNumber("height", data.Height);
                json.WriteNumber("width", data.Width);
                json.WriteString("images", files.ImagesPath);
                json.WriteString("labels", files.LabelsPath);
                json.WriteStartArray("classCounts");
                foreach (int count in data.ClassCounts()) json.WriteNumberValue(count);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static string Lower(DatasetSplit split) => split.ToString().ToLowerInvariant();
}

/// <summary>Reports downloads and warnings on stderr, one line at a time (no console tricks, so logs stay readable).</summary>
internal sealed class CliDataProgress(TextWriter error) : IProgress<DataProgress>
{
    private string? _item;
    private int _lastTenth = -1;

    public void Report(DataProgress value)
    {
        switch (value.Stage)
        {
            case DataStage.Warning:
                error.WriteLine($"crnn: warning: {value.Message}");
                break;
            case DataStage.Extracting:
                error.WriteLine($"crnn: extracting {value.Item}");
                break;
            case DataStage.Downloading:
                if (value.Item != _item)
                {
                    _item = value.Item;
                    _lastTenth = -1;
                    error.WriteLine($"crnn: downloading {value.Item}{(value.Total is long t ? $" ({t / 1e6:0.0} MB)" : "")}");
                }
                if (value.Total is long total && total > 0)
                {
                    int tenth = (int)(value.Completed * 10 / total);
                    if (tenth > _lastTenth && tenth > 0)
                    {
                        _lastTenth = tenth;
                        error.WriteLine($"crnn:   {tenth * 10}%");
                    }
                }
                break;
        }
    }
}
