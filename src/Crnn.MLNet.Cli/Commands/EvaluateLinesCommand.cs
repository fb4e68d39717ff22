using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Crnn.MLNet.Evaluation;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Training.Lines;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// <c>crnn evaluate-lines --model LINES.onnx --lines DIR [--beam N | --greedy] [--alphabet] [--pattern] [--json]</c>: reads
/// every line of a test set written by <c>crnn make-lines</c> (<c>DIR/labels.tsv</c>) and prints the character error rate
/// and sequence accuracy, overall and by reference length. Progress goes to stderr.
/// </summary>
internal static class EvaluateLinesCommand
{
    private const int Chunk = 256;

    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "The CRNN line (CTC) ONNX model.", Required = true };
        var lines = new Option<string>("--lines") { Description = "Folder of test lines with labels.tsv ('relative/path.png<TAB>text' per line), as 'crnn make-lines' writes it.", Required = true };
        var decoding = new LineDecodingOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N lines." };
        var batch = new Option<int>("--batch-size") { Description = "Most lines per ONNX Runtime run (lines of equal width are batched).", DefaultValueFactory = _ => 16 };
        var polarity = new Option<InkPolarity>("--polarity") { Description = "Ink polarity: Auto (from the image border), DarkOnLight or LightOnDark.", DefaultValueFactory = _ => InkPolarity.Auto };
        var cleanup = CommonOptions.LineCleanup();
        var command = new Command("evaluate-lines", "Measure a line model's character error rate and sequence accuracy on a folder of test lines.")
        {
            model, lines, json, limit, batch, polarity, cleanup,
        };
        foreach (var o in decoding.All) command.Options.Add(o);
        command.SetAction((Func<ParseResult, int>)(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            if (parse.GetValue(limit) is <= 0) throw new CliUsageException("--limit must be positive.");
            int batchSize = parse.GetValue(batch);
            if (batchSize is < 1 or > 4096) throw new CliUsageException($"--batch-size must be in 1..4096, got {batchSize}.");
            var options = new CrnnTextRecognizerOptions { Decoding = decoding.Read(parse, alternatives: 0), Polarity = parse.GetValue(polarity), BatchSize = batchSize, Cleanup = CommonOptions.ParseLineCleanup(parse.GetValue(cleanup)!) };
            string modelPath = parse.GetValue(model)!;
            IReadOnlyList<LabelledLine> set = LineLabelsFile.Read(parse.GetValue(lines)!);
            if (parse.GetValue(limit) is int n) set = set.Take(n).ToArray();
            using var recognizer = CrnnTextRecognizer.Open(modelPath, options);
            var evaluator = new CrnnTextEvaluator();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            new ConsoleProgress(stderr).Run($"Reading {set.Count:N0} lines with {modelPath}", report =>
            {
                for (int start = 0; start < set.Count; start += Chunk)
                {
                    var chunk = set.Skip(start).Take(Chunk).ToArray();
                    var results = recognizer.TryPredict(chunk.Select(l => l.ImagePath));
                    for (int i = 0; i < chunk.Length; i++)
                    {
                        var r = results[i];
                        if (!r.Succeeded)
                            throw new InvalidDataException($"{MakeLinesCommand.LabelsFileName}, line {chunk[i].LineNumber}: {r.Error}");
                        evaluator.Add(chunk[i].Text, r.Prediction!.Text);
                    }
                    int done = start + chunk.Length;
                    report((double)done / set.Count, $"{done:N0}/{set.Count:N0} lines, CER {evaluator.Result().CharacterErrorRate:P2}", false);
                }
                return 0;
            });
            var metrics = evaluator.Result();
            if (parse.GetValue(json)) WriteJson(stdout, modelPath, options, metrics, clock.Elapsed);
            else WriteText(stdout, modelPath, metrics, clock.Elapsed);
            return 0;
        }));
        return command;
    }

    private static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
    private static string P(double v) => (100 * v).ToString("F2", CultureInfo.InvariantCulture) + "%";

    private static void WriteText(TextWriter o, string model, CrnnTextMetrics m, TimeSpan elapsed)
    {
        o.WriteLine($"model                 {model}");
        o.WriteLine($"lines                 {m.Lines}");
        o.WriteLine($"characters            {m.ReferenceCharacters}");
        o.WriteLine($"character error rate  {F(m.CharacterErrorRate)} ({P(m.CharacterErrorRate)})");
        o.WriteLine($"sequence accuracy     {F(m.SequenceAccuracy)} ({P(m.SequenceAccuracy)})");
        o.WriteLine($"time                  {elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s ({(m.Lines / Math.Max(elapsed.TotalSeconds, 1e-9)).ToString("F0", CultureInfo.InvariantCulture)} lines/s)");
        o.WriteLine();
        o.WriteLine("length  lines  characters  edits     CER  sequence accuracy");
        foreach (var b in m.ByLength)
            o.WriteLine($"{b.Length,6}  {b.Lines,5}  {b.ReferenceCharacters,10}  {b.Edits,5}  {F(b.CharacterErrorRate),6}  {F(b.SequenceAccuracy),17}");
    }

    private static void WriteJson(TextWriter o, string model, CrnnTextRecognizerOptions options, CrnnTextMetrics m, TimeSpan elapsed)
    {
        var obj = new
        {
            model,
            lines = m.Lines,
            referenceCharacters = m.ReferenceCharacters,
            edits = m.Edits,
            characterErrorRate = Math.Round(m.CharacterErrorRate, 6),
            sequenceAccuracy = Math.Round(m.SequenceAccuracy, 6),
            byLength = m.ByLength.Select(b => new
            {
                length = b.Length,
                lines = b.Lines,
                referenceCharacters = b.ReferenceCharacters,
                edits = b.Edits,
                characterErrorRate = Math.Round(b.CharacterErrorRate, 6),
                sequenceAccuracy = Math.Round(b.SequenceAccuracy, 6),
            }),
            decoding = new
            {
                mode = options.Decoding.Mode.ToString(),
                beamWidth = options.Decoding.Mode == Decoding.CrnnCtcDecodingMode.BeamSearch ? options.Decoding.BeamWidth : (int?)null,
                alphabet = options.Decoding.Alphabet,
                pattern = options.Decoding.Pattern,
            },
            seconds = Math.Round(elapsed.TotalSeconds, 3),
        };
        o.WriteLine(JsonSerializer.Serialize(obj, CliJson.Serializer));
    }
}
