using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Crnn.MLNet.Tests.Support;

/// <summary>The reference: a plain ONNX Runtime session, one image per run.</summary>
internal sealed class RawOrt : IDisposable
{
    private readonly InferenceSession _session;

    public RawOrt(byte[] model) => _session = new InferenceSession(model);

    public float[] Probabilities(float[] normalised)
    {
        var tensor = new DenseTensor<float>(normalised, [1, 1, 28, 28]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor("input", tensor)], ["probabilities"]);
        return results.First().AsEnumerable<float>().ToArray();
    }

    public static float[] NormaliseGray(CrnnModelMetadata m, byte[] gray, int w, int h, CharacterFraming framing = CharacterFraming.Fit, InkPolarity polarity = InkPolarity.Auto)
    {
        var x = new float[784];
        new HandwritingNormalizer(m, polarity, framing).Normalize(gray, w, h, x);
        return x;
    }

    public static int ArgMax(float[] p) => Array.IndexOf(p, p.Max());

    public void Dispose() => _session.Dispose();
}

/// <summary>Runs a test only when the real trained model is in the repository.</summary>
public sealed class RealModelFactAttribute : FactAttribute
{
    public RealModelFactAttribute()
    {
        if (RepoModel.MnistPath is null)
            Skip = "models/mnist-crnn.onnx is not in this checkout yet (the trainer commits it); these checks need a trained model.";
    }
}
