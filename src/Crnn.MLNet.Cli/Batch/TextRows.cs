using Crnn.MLNet.Recognition;

namespace Crnn.MLNet.Cli.Batch;

/// <summary>
/// <c>crnn read</c>'s rows: <c>{"path","text","confidence","alternatives":[[{"character","probability"}...]...]}</c>, with
/// one list of candidates per character of the text (the labels most likely at its peak step), or <c>{"path","error"}</c>.
/// </summary>
internal sealed class TextRows(CrnnTextRecognizer recognizer) : IBatchRecognizer
{
    // Several equal-width batches per chunk: lines are sorted by width inside a chunk.
    public int ChunkSize => Math.Max(64, 4 * recognizer.Options.BatchSize);

    public BatchRows Recognize(IReadOnlyList<BatchInput> inputs)
    {
        var results = recognizer.TryPredict(inputs.Select(i => i.FilePath));
        var rows = new JsonLineBuilder(inputs.Count * 256);
        int errors = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            var r = results[i];
            if (r.Prediction is { } t)
                rows.Line(w =>
                {
                    w.WriteString("path", inputs[i].Path);
                    w.WriteString("text", t.Text);
                    w.WriteNumber("confidence", JsonLineBuilder.Probability(t.Confidence));
                    w.WriteStartArray("alternatives");
                    foreach (var c in t.Characters)
                    {
                        w.WriteStartArray();
                        foreach (var a in c.Alternatives)
                        {
                            w.WriteStartObject();
                            w.WriteString("character", a.Character);
                            w.WriteNumber("probability", JsonLineBuilder.Probability(a.Probability));
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                    }
                    w.WriteEndArray();
                });
            else
            {
                errors++;
                rows.ErrorLine(inputs[i].Path, r.Error);
            }
        }
        return new BatchRows(rows.ToArray(), rows.Lines, errors);
    }
}
