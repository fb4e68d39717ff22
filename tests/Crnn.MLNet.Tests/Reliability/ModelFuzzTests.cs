using System.Text;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Tests.Reliability.Fuzzing;
using Crnn.MLNet.Tests.Support;
using Xunit.Abstractions;

namespace Crnn.MLNet.Tests.Reliability;

/// <summary>
/// Fuzzes the model reader: mutated ONNX bytes, and mutated <c>crnn.metadata</c> JSON (alone and inside a model).
/// A model must open and score, or fail with an error naming it; accepted metadata must be usable by the normaliser.
/// </summary>
public class ModelFuzzTests(ITestOutputHelper output)
{
    private static List<byte[]> ModelCorpus()
    {
        var corpus = new List<byte[]>
        {
            TestModels.Build(),
            TestModels.Build(labels: ["a", "b", "c"], seed: 5),
        };
        if (SeedFiles.TrainedModel is string trained) corpus.Add(File.ReadAllBytes(trained));
        return corpus;
    }

    private static List<byte[]> MetadataCorpus()
    {
        var corpus = new List<byte[]>
        {
            Encoding.UTF8.GetBytes(TestModels.Metadata().ToJson()),
            Encoding.UTF8.GetBytes((TestModels.Metadata(["A", "B", "C", "D"]) with
            {
                Preprocessing = new CrnnPreprocessing { Centering = CrnnCentering.BoundingBox, FitBox = 24 },
                Metrics = new Dictionary<string, double> { ["testAccuracy"] = 0.99 },
            }).ToJson()),
        };
        if (SeedFiles.TrainedModel is string trained)
        {
            using var m = CrnnOnnxModel.Load(trained);
            corpus.Add(Encoding.UTF8.GetBytes(m.CustomMetadata[CrnnModelMetadata.MetadataKey]));
        }
        return corpus;
    }

    private static bool Names(Exception e, string source) => e.Message.StartsWith(source + ":", StringComparison.Ordinal);

    /// <summary>Opens and scores a model; clean failures are errors naming it.</summary>
    private static void OpenAndScore(byte[] bytes, string source)
    {
        CrnnOnnxModel model;
        try
        {
            model = CrnnOnnxModel.FromBytes(bytes, source);
        }
        catch (InvalidDataException e) when (!Names(e, source))
        {
            throw new FuzzCheckException($"error does not name the model: {e.Message}");
        }
        using (model)
        {
            var x = new float[2 * model.InputSize];
            var p = new float[2 * model.ClassCount];
            try
            {
                model.Run(x, 2, p);
            }
            catch (InvalidOperationException e) when (Names(e, source))
            {
                // ONNX Runtime accepted the graph but cannot run it: a clean error naming the model.
                throw new InvalidDataException(e.Message, e);
            }
            new HandwritingNormalizer(model.Metadata).Normalize(new byte[12 * 9], 12, 9, x.AsSpan(0, model.InputSize));
        }
    }

    [Fact]
    public void Mutated_onnx_files_open_or_fail_with_an_error_naming_them()
    {
        var settings = FuzzSettings.FromEnvironment(ciIterations: 1000);
        var report = MutationFuzzer.Run("onnx-bytes", ModelCorpus(), (bytes, i) => OpenAndScore(bytes, $"fuzz-model-{i}"),
            e => e is InvalidDataException, settings);
        report.Write(settings, output.WriteLine);
        Assert.Empty(report.Findings);
    }

    [Fact]
    public void Mutated_metadata_json_is_validated_or_rejected_with_an_error_naming_the_model()
    {
        var settings = FuzzSettings.FromEnvironment(ciIterations: 5000);
        var normalizerInput = new byte[30 * 20];
        for (int i = 0; i < normalizerInput.Length; i++) normalizerInput[i] = (byte)(i % 7 == 0 ? 255 : 0);
        var report = MutationFuzzer.Run("metadata-json", MetadataCorpus(), (bytes, i) =>
        {
            string source = $"fuzz-metadata-{i}";
            CrnnModelMetadata m;
            try
            {
                m = CrnnModelMetadata.FromJson(Encoding.UTF8.GetString(bytes), source);
            }
            catch (InvalidDataException e) when (!Names(e, source))
            {
                throw new FuzzCheckException($"error does not name the model: {e.Message}");
            }
            // Metadata that validates must be usable.
            var normalizer = new HandwritingNormalizer(m);
            var dest = new float[normalizer.OutputSize];
            normalizer.Normalize(normalizerInput, 30, 20, dest);
            if (!dest.All(float.IsFinite)) throw new FuzzCheckException("normalised input is not finite");
        }, e => e is InvalidDataException, settings, JsonMutator.Mutate);
        report.Write(settings, output.WriteLine);
        Assert.Empty(report.Findings);
    }

    [Fact]
    public void Models_with_mutated_metadata_open_or_fail_with_an_error_naming_them()
    {
        var settings = FuzzSettings.FromEnvironment(ciIterations: 300);
        var report = MutationFuzzer.Run("onnx-metadata", MetadataCorpus().Take(1).ToList(), (json, i) =>
            OpenAndScore(TestModels.Build(metadataJson: Encoding.UTF8.GetString(json)), $"fuzz-model-{i}"),
            e => e is InvalidDataException, settings, JsonMutator.Mutate);
        report.Write(settings, output.WriteLine);
        Assert.Empty(report.Findings);
    }
}
