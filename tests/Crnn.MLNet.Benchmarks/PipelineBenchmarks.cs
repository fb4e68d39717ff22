using BenchmarkDotNet.Attributes;
using Crnn.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Benchmarks;

/// <summary>
/// The fitted classifier per row: <see cref="Transform"/> scores <see cref="Rows"/> pixel vectors (read in batches),
/// reading <c>PredictedLabel</c> and <c>Score</c>; <see cref="PredictionEngine"/> scores one row. Times and
/// allocations are per image.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private const int Rows = 512;
    private MLContext _ml = null!;
    private IDataView _data = null!;
    private TransformerChain<CrnnLabelMappingTransformer> _model = null!;
    private PredictionEngine<Row, Scored> _engine = null!;
    private Row[] _rows = [];
    private readonly Scored _scored = new();
    private int _next;

    public sealed class Row
    {
        public float[] Image { get; set; } = [];
    }

    public sealed class Scored
    {
        public uint PredictedLabel { get; set; }
        public float[] Score { get; set; } = [];
    }

    [GlobalSetup]
    public void Setup()
    {
        _ml = new MLContext(seed: 1);
        _rows = BenchInputs.Images(Rows).Select(img => new Row { Image = img.Select(b => (float)b).ToArray() }).ToArray();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, BenchInputs.Pixels);
        _data = _ml.Data.LoadFromEnumerable(_rows, schema);
        _model = new EstimatorChain<ITransformer>().AppendCrnnClassifier(_ml, BenchInputs.ModelPath()).Fit(_data);
        _engine = _ml.Model.CreatePredictionEngine<Row, Scored>(_model, inputSchemaDefinition: schema);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        _model.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public long Transform()
    {
        var scored = _model.Transform(_data);
        var label = scored.Schema[CrnnDefaults.PredictedLabelColumnName];
        var score = scored.Schema[CrnnDefaults.ScoreColumnName];
        using var cursor = scored.GetRowCursor([label, score]);
        var getLabel = cursor.GetGetter<uint>(label);
        var getScore = cursor.GetGetter<VBuffer<float>>(score);
        uint key = 0;
        VBuffer<float> scores = default;
        long sum = 0;
        while (cursor.MoveNext())
        {
            getLabel(ref key);
            getScore(ref scores);
            sum += key;
        }
        return sum;
    }

    [Benchmark]
    public uint PredictionEngine()
    {
        var scored = _scored;
        _engine.Predict(_rows[_next++ % Rows], ref scored);
        return scored.PredictedLabel;
    }
}
