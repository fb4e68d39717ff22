using Crnn.MLNet.Model;
using Crnn.MLNet.Tests.Support;
using Crnn.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Tests;

/// <summary>Each transform's estimator and transformer refuse a wrong input column with the same message (one rule each).</summary>
public class SchemaCheckTests
{
    public sealed class Row { public float Image { get; set; } public float CrnnInput { get; set; } public float Score { get; set; } }

    [Fact]
    public void Estimator_and_transformer_give_the_same_message_for_a_wrong_column()
    {
        using var dir = new TempDir();
        string digits = TestModels.WriteTemp(dir, TestModels.Build(), "digits.onnx");
        string lines = TestModels.WriteTemp(dir, TestLineModels.Build(), "lines.onnx");
        var ml = new MLContext(1);
        using var model = CrnnOnnxModel.Load(digits);
        using var lineModel = CrnnLineOnnxModel.Load(lines);
        // Fitted on a good schema, then both sides are shown a data view whose column is a scalar Single.
        var good = new (IEstimator<ITransformer> Estimator, IDataView Fit)[]
        {
            (ml.Transforms.NormalizeHandwriting(model, new CrnnNormalizerOptions()), ml.Data.LoadFromEnumerable(new[] { new { Image = "a.png" } })),
            (ml.Transforms.ScoreCrnn(model, new CrnnScorerOptions()), ml.Data.LoadFromEnumerable(new[] { new Pixels() })),
            (ml.Transforms.MapCrnnScoreToLabel(model), ml.Data.LoadFromEnumerable(new[] { new Scores() })),
            (ml.Transforms.ReadHandwrittenText(lineModel, new CrnnTextTransformOptions()), ml.Data.LoadFromEnumerable(new[] { new { Image = "a.png" } })),
        };
        var bad = ml.Data.LoadFromEnumerable(new[] { new Row() });
        foreach (var (estimator, fit) in good)
        {
            var transformer = estimator.Fit(fit);
            var fromEstimator = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(SchemaShapes.From(bad.Schema)));
            var fromTransformer = Assert.Throws<ArgumentOutOfRangeException>(() => transformer.GetOutputSchema(bad.Schema));
            Assert.Matches("^column '[A-Za-z]+': expected .+, got Single", fromEstimator.Message);
            Assert.Equal(fromEstimator.Message, fromTransformer.Message);
        }
    }

    public sealed class Pixels { [VectorType(784)] public float[] CrnnInput { get; set; } = new float[784]; }

    public sealed class Scores { [VectorType(10)] public float[] Score { get; set; } = new float[10]; }
}
