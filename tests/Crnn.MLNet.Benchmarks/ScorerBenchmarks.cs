using BenchmarkDotNet.Attributes;
using Crnn.MLNet.Model;

namespace Crnn.MLNet.Benchmarks;

/// <summary>One ONNX Runtime run of <see cref="BatchSize"/> normalised images through <see cref="CrnnOnnxModel.Run"/>.</summary>
[MemoryDiagnoser]
public class ScorerBenchmarks
{
    private CrnnOnnxModel _model = null!;
    private float[] _x = [], _probs = [];

    [Params(1, 64, 128)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = CrnnOnnxModel.Load(BenchInputs.ModelPath());
        var images = BenchInputs.Images(BatchSize);
        _x = new float[BatchSize * _model.InputSize];
        for (int i = 0; i < BatchSize; i++)
            for (int j = 0; j < _model.InputSize; j++)
                _x[i * _model.InputSize + j] = (images[i][j] / 255f - 0.1307f) / 0.3081f;
        _probs = new float[BatchSize * _model.ClassCount];
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark]
    public void RunBatch() => _model.Run(_x, BatchSize, _probs);
}
