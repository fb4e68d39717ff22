using System.Diagnostics;
using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>Multiclass metrics of a model on a dataset split, from ML.NET's evaluator.</summary>
internal sealed record EvaluationReport(
    string Model, string Dataset, string Split, int Count, double MicroAccuracy, double MacroAccuracy, double LogLoss, double LogLossReduction,
    IReadOnlyList<string> Labels, IReadOnlyList<double> Precision, IReadOnlyList<double> Recall, IReadOnlyList<int> Support, int[][] Confusion);

/// <summary>Runs the ML.NET pipeline (labels mapped onto the model's keys by text, then the CRNN classifier) over a dataset.</summary>
internal static class DatasetEvaluation
{
    public static EvaluationReport Run(string modelPath, CharacterDataset dataset, string split, int batchSize, Action<string>? progress)
    {
        var ml = new MLContext(seed: 0);
        using var model = CrnnOnnxModel.Load(modelPath);
        if (dataset.Height != model.InputHeight || dataset.Width != model.InputWidth)
            throw new InvalidDataException($"{dataset.Name}: images are {dataset.Width}x{dataset.Height}, the model {modelPath} expects {model.InputWidth}x{model.InputHeight}.");
        // Labels are matched by their text: a dataset label the model does not know is an error, not a silent miss.
        var known = new HashSet<string>(model.Labels, StringComparer.Ordinal);
        var present = dataset.ClassCounts().Select((n, i) => (n, i)).Where(t => t.n > 0).Select(t => dataset.LabelNames[t.i]).ToList();
        var unknown = present.Where(l => !known.Contains(l)).ToList();
        if (unknown.Count > 0)
            throw new InvalidDataException($"{dataset.Name}: label{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Take(10).Select(l => $"'{l}'"))} " +
                $"{(unknown.Count > 1 ? "are" : "is")} not among the model's {model.Labels.Count} labels ({string.Join(" ", model.Labels.Take(60))}).");

        IDataView data = new CharacterDatasetView(dataset, progress);
        var pipeline = ml.Transforms.Conversion.MapLabelsToCrnnKeys(model.Labels, "Label")
            .AppendCrnnClassifier(ml, model, new CrnnClassifierOptions(inputColumnName: "Image", batchSize: batchSize));
        var scored = pipeline.Fit(data).Transform(data);
        var metrics = ml.MulticlassClassification.Evaluate(scored, "Label");
        var cm = metrics.ConfusionMatrix;
        int classes = model.Labels.Count;
        var confusion = new int[classes][];
        for (int i = 0; i < classes; i++)
        {
            confusion[i] = new int[classes];
            if (i < cm.Counts.Count)
                for (int j = 0; j < classes && j < cm.Counts[i].Count; j++) confusion[i][j] = (int)Math.Round(cm.Counts[i][j]);
        }
        return new EvaluationReport(modelPath, dataset.Name, split, dataset.Count, metrics.MicroAccuracy, metrics.MacroAccuracy, metrics.LogLoss,
            metrics.LogLossReduction, model.Labels.ToArray(), Pad(cm.PerClassPrecision, classes), Pad(cm.PerClassRecall, classes),
            confusion.Select(r => r.Sum()).ToArray(), confusion);
    }

    private static double[] Pad(IReadOnlyList<double> values, int n) => Enumerable.Range(0, n).Select(i => i < values.Count ? values[i] : double.NaN).ToArray();

    /// <summary>
    /// A <see cref="CharacterDataset"/> as an <see cref="IDataView"/> without copying: <c>Image</c> (Vector&lt;Byte, H x W&gt;)
    /// and <c>Label</c> (text). Reports progress every two seconds while a cursor runs.
    /// </summary>
    private sealed class CharacterDatasetView : IDataView
    {
        private readonly CharacterDataset _data;
        private readonly Action<string>? _progress;

        public CharacterDatasetView(CharacterDataset data, Action<string>? progress)
        {
            _data = data;
            _progress = progress;
            var b = new DataViewSchema.Builder();
            b.AddColumn("Image", new VectorDataViewType(NumberDataViewType.Byte, data.PixelsPerImage));
            b.AddColumn("Label", TextDataViewType.Instance);
            Schema = b.ToSchema();
        }

        public bool CanShuffle => false;
        public DataViewSchema Schema { get; }
        public long? GetRowCount() => _data.Count;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var active = new bool[2];
            foreach (var c in columnsNeeded) active[c.Index] = true;
            return new Cursor(this, active);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            [GetRowCursor(columnsNeeded, rand)];

        private sealed class Cursor(CharacterDatasetView view, bool[] active) : DataViewRowCursor
        {
            private readonly ReadOnlyMemory<char>[] _labels = view._data.LabelNames.Select(l => l.AsMemory()).ToArray();
            private readonly Stopwatch _clock = Stopwatch.StartNew();
            private long _position = -1;
            private long _lastReport;

            public override DataViewSchema Schema => view.Schema;
            public override long Position => _position;
            public override long Batch => 0;
            public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

            public override bool MoveNext()
            {
                if (_position + 1 >= view._data.Count)
                {
                    // Only the cursor that reads images reports (the evaluator's own passes do not).
                    if (active[0] && _position >= 0 && view._progress is not null) view._progress($"{view._data.Count}/{view._data.Count} images");
                    _position = view._data.Count;
                    return false;
                }
                _position++;
                if (active[0] && view._progress is not null && _clock.ElapsedMilliseconds - _lastReport >= 2000)
                {
                    _lastReport = _clock.ElapsedMilliseconds;
                    view._progress($"{_position}/{view._data.Count} images");
                }
                return true;
            }

            public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                Delegate getter = column.Index == 0
                    ? (ValueGetter<VBuffer<byte>>)((ref VBuffer<byte> dst) =>
                    {
                        var editor = VBufferEditor.Create(ref dst, view._data.PixelsPerImage);
                        view._data.Image((int)_position).CopyTo(editor.Values);
                        dst = editor.Commit();
                    })
                    : (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> dst) => dst = _labels[view._data.Labels[(int)_position]]);
                return getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
            }
        }
    }
}
