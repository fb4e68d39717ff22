using Crnn.MLNet.Recognition;

namespace Crnn.MLNet.Cli.Batch;

/// <summary>
/// <c>crnn predict</c>'s rows: <c>{"path","label","confidence","alternatives":[{"label","probability"}...]}</c> with the
/// <paramref name="top"/> most likely labels as alternatives (the first is the label), or <c>{"path","error"}</c>.
/// </summary>
internal sealed class PredictionRows(CrnnRecognizer recognizer, int top) : IBatchRecognizer
{
    public int ChunkSize => recognizer.Options.BatchSize;

    public BatchRows Recognize(IReadOnlyList<BatchInput> inputs)
    {
        var results = recognizer.TryPredict(inputs.Select(i => i.FilePath));
        var rows = new JsonLineBuilder(inputs.Count * (96 + 40 * top));
        int errors = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            var r = results[i];
            if (r.Prediction is { } p)
                rows.Line(w =>
                {
                    w.WriteString("path", inputs[i].Path);
                    w.WriteString("label", p.Label);
                    w.WriteNumber("confidence", JsonLineBuilder.Probability(p.Confidence));
                    w.WriteStartArray("alternatives");
                    foreach (var t in p.Top(top))
                    {
                        w.WriteStartObject();
                        w.WriteString("label", t.Label);
                        w.WriteNumber("probability", JsonLineBuilder.Probability(t.Probability));
                        w.WriteEndObject();
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
