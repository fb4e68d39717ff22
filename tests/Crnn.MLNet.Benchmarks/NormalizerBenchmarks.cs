using BenchmarkDotNet.Attributes;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;

namespace Crnn.MLNet.Benchmarks;

/// <summary>The handwriting normaliser on one 28 x 28 image: as framed (pixel vectors) and cropped, fitted and centred (files).</summary>
[MemoryDiagnoser]
public class NormalizerBenchmarks
{
    private HandwritingNormalizer _none = null!, _fit = null!;
    private byte[][] _images = [];
    private readonly float[] _output = new float[BenchInputs.Pixels];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        using var model = CrnnOnnxModel.Load(BenchInputs.ModelPath());
        _none = new HandwritingNormalizer(model.Metadata, InkPolarity.Auto, CharacterFraming.None);
        _fit = new HandwritingNormalizer(model.Metadata, InkPolarity.Auto, CharacterFraming.Fit);
        _images = BenchInputs.Images(64);
    }

    private byte[] NextImage() => _images[_next++ & 63];

    [Benchmark(Baseline = true)]
    public void AsFramed() => _none.Normalize(NextImage(), BenchInputs.Side, BenchInputs.Side, _output);

    [Benchmark]
    public void CropFitCentre() => _fit.Normalize(NextImage(), BenchInputs.Side, BenchInputs.Side, _output);
}
