using Crnn.MLNet.Tests.Support;
using Crnn.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;

namespace Crnn.MLNet.Tests;

public class SaveLoadTests
{
    private static (string[] Text, float[][] Score) Score(ITransformer model, IDataView data)
    {
        var scored = model.Transform(data);
        return (scored.GetColumn<string>("PredictedLabelText").ToArray(), scored.GetColumn<float[]>("Score").ToArray());
    }

    private static void AssertSame((string[] Text, float[][] Score) a, (string[] Text, float[][] Score) b)
    {
        Assert.Equal(a.Text, b.Text);
        for (int i = 0; i < a.Score.Length; i++)
            for (int c = 0; c < a.Score[i].Length; c++) Assert.True(Math.Abs(a.Score[i][c] - b.Score[i][c]) < 1e-5, $"row {i} class {c}: {a.Score[i][c]} vs {b.Score[i][c]}");
    }

    [Theory]
    [InlineData("paths")]
    [InlineData("images")]
    [InlineData("floats")]
    [InlineData("bytes")]
    public void Saved_pipeline_loads_in_a_fresh_context_and_predicts_the_same(string kind)
    {
        using var set = new DigitSet(count: 12);
        var ml = new MLContext(1);
        IDataView data = kind switch
        {
            "paths" or "images" => ml.Data.LoadFromEnumerable(set.Paths.Select((p, i) => new PathRow { Image = p, Label = set.Labels[i] })),
            "floats" => ml.Data.LoadFromEnumerable(set.Pixels.Select(p => new FloatPixelRow { Image = p.Select(v => (float)v).ToArray() })),
            _ => ml.Data.LoadFromEnumerable(set.Pixels.Select(p => new BytePixelRow { Image = p })),
        };
        IEstimator<ITransformer> start = kind == "images"
            ? ml.Transforms.LoadImages("Loaded", null, "Image")
            : ml.Transforms.CopyColumns("Copy", "Image");
        var options = new CrnnClassifierOptions(inputColumnName: kind == "images" ? "Loaded" : "Image", polarity: Imaging.InkPolarity.Auto, batchSize: 5);
        var model = start.AppendCrnnClassifier(ml, set.ModelPath, options).Fit(data);
        var before = Score(model, data);

        string zip = set.Dir.File("pipeline.zip");
        ml.Model.Save(model, data.Schema, zip);
        Assert.True(new FileInfo(zip).Length > 784 * 10 * 4, "the ONNX weights are inside the zip");

        // Stock load: ML.NET's own transformers, row by row, same predictions.
        var fresh = new MLContext(2);
        var loaded = fresh.Model.Load(zip, out var schema);
        Assert.Contains(Flatten(loaded), t => t is OnnxTransformer);
        AssertSame(before, Score(loaded, data));

        // CrnnModel.Load: the batched scorer is back.
        var batched = CrnnModel.Load(new MLContext(3), zip, out _);
        Assert.Contains(Flatten(batched), t => t is CrnnScoringTransformer);
        Assert.DoesNotContain(Flatten(batched), t => t is OnnxTransformer);
        AssertSame(before, Score(batched, data));

        // And a prediction engine over the loaded pipeline.
        if (kind == "paths")
        {
            var engine = fresh.Model.CreatePredictionEngine<PathRow, PipelineTests.Prediction>(loaded, inputSchemaDefinition: null);
            Assert.Equal(before.Text[3], engine.Predict(new PathRow { Image = set.Paths[3] }).PredictedLabelText);
        }
    }

    [Fact]
    public void Saved_key_column_keeps_the_model_labels()
    {
        using var set = new DigitSet(count: 4);
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(set.Paths.Select(p => new PathRow { Image = p }));
        var model = ml.Transforms.ClassifyHandwriting(set.ModelPath).Fit(data);
        using var ms = new MemoryStream();
        ml.Model.Save(model, data.Schema, ms);
        ms.Position = 0;
        var loaded = new MLContext().Model.Load(ms, out _);
        var schema = loaded.GetOutputSchema(data.Schema);
        VBuffer<ReadOnlyMemory<char>> keys = default;
        schema["PredictedLabel"].GetKeyValues(ref keys);
        Assert.Equal(TestModels.Digits, keys.DenseValues().Select(k => k.ToString()));
    }

    [Fact]
    public void Skip_mode_survives_save_and_load()
    {
        using var set = new DigitSet(count: 3);
        File.WriteAllBytes(set.Dir.File("bad.png"), [1, 2, 3]);
        var ml = new MLContext(1);
        var rows = set.Paths.Append(set.Dir.File("bad.png")).Select(p => new PathRow { Image = p }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.ClassifyHandwriting(File.OpenRead(set.ModelPath), new CrnnClassifierOptions(badImages: BadImageHandling.Skip)).Fit(data);
        using var ms = new MemoryStream();
        ml.Model.Save(model, data.Schema, ms);
        ms.Position = 0;
        var loaded = new MLContext().Model.Load(ms, out _);
        var scored = loaded.Transform(data);
        var errors = scored.GetColumn<string>("CrnnError").ToArray();
        Assert.Equal(["", "", ""], errors[..3]);
        Assert.Contains("bad.png", errors[3]);
        Assert.Equal(0u, scored.GetColumn<uint>("PredictedLabel").Last());
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer t) =>
        t is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten).Prepend(t) : [t];
}
