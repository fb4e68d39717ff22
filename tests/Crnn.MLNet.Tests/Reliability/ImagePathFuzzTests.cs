using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Tests.Reliability.Fuzzing;
using Crnn.MLNet.Tests.Support;
using Xunit.Abstractions;

namespace Crnn.MLNet.Tests.Reliability;

/// <summary>
/// Fuzzes the whole image path (decode, normalise, score) with mutated real images. Every input must either give
/// finite probabilities or fail with an <see cref="InvalidDataException"/> that names it.
/// </summary>
public class ImagePathFuzzTests(ITestOutputHelper output)
{
    internal const long MaxPixels = 4_000_000;

    [Fact]
    public void Mutated_images_are_scored_or_rejected_with_an_error_naming_them()
    {
        var corpus = SeedFiles.Images();
        using var model = CrnnOnnxModel.FromBytes(TestModels.Build(), "tiny model");
        var normalizer = new HandwritingNormalizer(model.Metadata);
        var gray = new GrayImage();
        var x = new float[model.InputSize];
        var p = new float[model.ClassCount];
        var settings = FuzzSettings.FromEnvironment(ciIterations: 3000);

        var report = MutationFuzzer.Run("image-path", corpus, (bytes, i) =>
        {
            string source = $"fuzz-image-{i}";
            try
            {
                CrnnImageDecoder.Decode(bytes, source, MaxPixels, gray);
            }
            catch (InvalidDataException e) when (!e.Message.StartsWith(source + ":", StringComparison.Ordinal))
            {
                throw new FuzzCheckException($"error does not name the input: {e.Message}");
            }
            normalizer.Normalize(gray.Pixels, gray.Width, gray.Height, x);
            if (!x.All(float.IsFinite)) throw new FuzzCheckException("normalised input is not finite");
            model.Run(x, 1, p);
            if (!p.All(float.IsFinite) || Math.Abs(p.Sum() - 1) > 1e-3) throw new FuzzCheckException("probabilities are not a distribution");
        }, e => e is InvalidDataException, settings);

        report.Write(settings, output.WriteLine);
        Assert.True(report.Accepted >= corpus.Count, "every seed must be accepted");
        Assert.Empty(report.Findings);
    }
}
