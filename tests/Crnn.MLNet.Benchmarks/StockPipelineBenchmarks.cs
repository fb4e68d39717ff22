using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;

namespace Crnn.MLNet.Benchmarks;

/// <summary>
/// Stock ML.NET for comparison with <see cref="PipelineBenchmarks.Transform"/>: an <c>Expression</c> normalising the
/// same pixel vectors, then <c>ApplyOnnxModel</c> (one ONNX Runtime run per row). Time and allocations per image.
/// </summary>
[MemoryDiagnoser]
public class StockPipelineBenchmarks
{
    private const int Rows = 128;
    private IDataView _data = null!;
    private TransformerChain<OnnxTransformer> _model = null!;

    public sealed class Row
    {
        public float[] Image { get; set; } = [];
    }

    [GlobalSetup]
    public void Setup()
    {
        var ml = new MLContext(seed: 1);
        var rows = BenchInputs.Images(Rows).Select(img => new Row { Image = img.Select(b => (float)b).ToArray() }).ToArray();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, BenchInputs.Pixels);
        _data = ml.Data.LoadFromEnumerable(rows, schema);
        _model = ml.Transforms.Expression("input", "x : (x / 255 - 0.1307) / 0.3081", nameof(Row.Image))
            .Append(ml.Transforms.ApplyOnnxModel(["probabilities"], ["input"], BenchInputs.ModelPath()))
            .Fit(_data);
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark(OperationsPerInvoke = Rows)]
    public float Transform()
    {
        var scored = _model.Transform(_data);
        var probabilities = scored.Schema["probabilities"];
        using var cursor = scored.GetRowCursor([probabilities]);
        var get = cursor.GetGetter<VBuffer<float>>(probabilities);
        VBuffer<float> p = default;
        float sum = 0;
        while (cursor.MoveNext())
        {
            get(ref p);
            sum += p.GetValues()[0];
        }
        return sum;
    }
}
