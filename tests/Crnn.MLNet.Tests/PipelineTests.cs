using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Tests.Support;
using Crnn.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Tests;

public class PipelineTests
{
    private static List<(float[] Score, uint Key, string Text)> Read(IDataView scored)
    {
        var result = new List<(float[], uint, string)>();
        using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name is "Score" or "PredictedLabel" or "PredictedLabelText"));
        var score = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        var key = cursor.GetGetter<uint>(scored.Schema["PredictedLabel"]);
        var text = cursor.GetGetter<ReadOnlyMemory<char>>(scored.Schema["PredictedLabelText"]);
        VBuffer<float> s = default; uint k = 0; ReadOnlyMemory<char> t = default;
        while (cursor.MoveNext())
        {
            score(ref s); key(ref k); text(ref t);
            result.Add((s.DenseValues().ToArray(), k, t.ToString()));
        }
        return result;
    }

    private static void AssertSame(float[][] expected, List<(float[] Score, uint Key, string Text)> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            for (int c = 0; c < expected[i].Length; c++) Assert.Equal(expected[i][c], actual[i].Score[c], 5);
            int best = RawOrt.ArgMax(expected[i]);
            Assert.Equal((uint)best + 1, actual[i].Key);
            Assert.Equal(TestModels.Digits[best], actual[i].Text);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(64)]
    public void Paths_score_like_raw_onnx_runtime(int batchSize)
    {
        using var set = new DigitSet();
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(set.Paths.Select((p, i) => new PathRow { Image = p, Label = set.Labels[i] }));
        var pipeline = ml.Transforms.CopyColumns("Copy", "Label")
            .AppendCrnnClassifier(ml, set.ModelPath, new CrnnClassifierOptions(batchSize: batchSize));
        var model = pipeline.Fit(data);
        var scored = model.Transform(data);
        AssertSame(set.ExpectedForPaths(), Read(scored));
        // Pass-through columns survive the read-ahead batching.
        var labels = scored.GetColumn<string>("Label").ToArray();
        Assert.Equal(set.Labels, labels);
        Assert.Equal(set.Labels, scored.GetColumn<string>("Copy").ToArray());
    }

    [Fact]
    public void MLImages_score_like_raw_onnx_runtime()
    {
        using var set = new DigitSet();
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(set.Paths.Select((p, i) => new PathRow { Image = p, Label = set.Labels[i] }));
        var pipeline = ml.Transforms.LoadImages("Loaded", imageFolder: null, inputColumnName: "Image")
            .AppendCrnnClassifier(ml, set.ModelPath, new CrnnClassifierOptions(inputColumnName: "Loaded", batchSize: 7));
        var scored = pipeline.Fit(data).Transform(data);
        var actual = Read(scored);
        var expected = set.ExpectedForPaths();
        // MLImage pixels come from SkiaSharp's decoder like ours; JPEG decoding may differ by rounding only.
        for (int i = 0; i < expected.Length; i++)
            for (int c = 0; c < 10; c++) Assert.Equal(expected[i][c], actual[i].Score[c], 3);
    }

    [Fact]
    public void In_memory_MLImages_are_accepted()
    {
        using var set = new DigitSet(count: 6);
        var ml = new MLContext(1);
        var rows = set.Paths.Select((p, i) => new ImageRow { Image = MLImage.CreateFromFile(p), Label = set.Labels[i] }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var scored = ml.Transforms.ClassifyHandwriting(set.ModelPath).Fit(data).Transform(data);
        var actual = Read(scored);
        var expected = set.ExpectedForPaths();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(RawOrt.ArgMax(expected[i]) + 1, (int)actual[i].Key);
    }

    [Fact]
    public void Float_and_byte_pixel_vectors_score_like_raw_onnx_runtime()
    {
        using var set = new DigitSet();
        var ml = new MLContext(1);
        var floats = ml.Data.LoadFromEnumerable(set.Pixels.Select((p, i) => new FloatPixelRow { Image = p.Select(v => (float)v).ToArray(), Label = set.Labels[i] }));
        var bytes = ml.Data.LoadFromEnumerable(set.Pixels.Select((p, i) => new BytePixelRow { Image = p, Label = (uint)i }));
        var expected = set.ExpectedForPixels();
        AssertSame(expected, Read(ml.Transforms.ClassifyHandwriting(set.ModelPath).Fit(floats).Transform(floats)));
        AssertSame(expected, Read(ml.Transforms.ClassifyHandwriting(set.ModelPath).Fit(bytes).Transform(bytes)));
    }

    [Fact]
    public void Output_schema_has_key_values_and_slot_names()
    {
        using var set = new DigitSet(count: 2);
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(set.Paths.Select(p => new PathRow { Image = p }));
        var estimator = ml.Transforms.ClassifyHandwriting(set.ModelPath);
        var shape = estimator.GetOutputSchema(SchemaShapes.From(data.Schema));
        Assert.True(shape.Single(c => c.Name == "PredictedLabel").IsKey);
        var schema = estimator.Fit(data).GetOutputSchema(data.Schema);
        var keyType = Assert.IsType<KeyDataViewType>(schema["PredictedLabel"].Type);
        Assert.Equal(10UL, keyType.Count);
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        schema["PredictedLabel"].GetKeyValues(ref keyValues);
        Assert.Equal(TestModels.Digits, keyValues.DenseValues().Select(v => v.ToString()));
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        schema["Score"].GetSlotNames(ref slotNames);
        Assert.Equal(TestModels.Digits, slotNames.DenseValues().Select(v => v.ToString()));
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 784), schema["CrnnInput"].Type);
    }

    [Fact]
    public void Part_estimators_compose_like_the_whole()
    {
        using var set = new DigitSet(count: 12);
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(set.Paths.Select((p, i) => new PathRow { Image = p, Label = set.Labels[i] }));
        using var model = CrnnOnnxModel.Load(set.ModelPath);
        var pipeline = ml.Transforms.NormalizeHandwriting(model, new CrnnNormalizerOptions("Image", "X", polarity: InkPolarity.Auto))
            .Append(ml.Transforms.ScoreCrnn(model, new CrnnScorerOptions("X", "Score", "Logits", batchSize: 4)))
            .Append(ml.Transforms.MapCrnnScoreToLabel(model));
        var scored = pipeline.Fit(data).Transform(data);
        AssertSame(set.ExpectedForPaths(), Read(scored));
        Assert.Equal(10, scored.GetColumn<float[]>("Logits").First().Length);
    }

    [Fact]
    public void Wrong_column_type_is_reported_at_fit_and_schema_time()
    {
        using var set = new DigitSet(count: 1);
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new BytePixelRow { Image = new byte[784], Label = 3 } });
        var estimator = ml.Transforms.ClassifyHandwriting(set.ModelPath, inputColumnName: "Label");
        var e1 = Assert.ThrowsAny<ArgumentException>(() => estimator.Fit(data));
        Assert.Contains("column 'Label': expected text (image path), Image (MLImage) or Vector<Single|Byte, 784> (28x28 pixels, 0..255), got UInt32", e1.Message);
        var e2 = Assert.ThrowsAny<ArgumentException>(() => estimator.GetOutputSchema(SchemaShapes.From(data.Schema)));
        Assert.Contains("column 'Label': expected", e2.Message);
        var missing = Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.ClassifyHandwriting(set.ModelPath, inputColumnName: "Nope").Fit(data));
        Assert.Contains("column 'Nope': expected", missing.Message);
        Assert.Contains("no such column", missing.Message);
    }

    public sealed class ShortRow { [VectorType(100)] public float[] Image { get; set; } = []; }

    [Fact]
    public void Wrong_vector_size_is_reported()
    {
        using var set = new DigitSet(count: 1);
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new ShortRow { Image = new float[100] } });
        var e = Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.ClassifyHandwriting(set.ModelPath).Fit(data));
        Assert.Contains("column 'Image': expected text (image path), Image (MLImage) or Vector<Single|Byte, 784> (28x28 pixels, 0..255), got Vector<Single, 100>", e.Message);
    }

    [Fact]
    public void Shuffled_label_order_gives_correct_metrics()
    {
        using var set = new DigitSet(count: 40);
        var ml = new MLContext(1);
        // Labels = the tiny model's own predictions, so accuracy must be exactly 1; rows ordered so that
        // the labels first appear in an order different from the model's ("7", "3", ...).
        var expected = set.ExpectedForPixels();
        var rows = set.Pixels.Select((p, i) => new FloatPixelRow { Image = p.Select(v => (float)v).ToArray(), Label = TestModels.Digits[RawOrt.ArgMax(expected[i])] })
            .OrderByDescending(r => r.Label == "7").ThenByDescending(r => r.Label == "3").ToArray();
        Assert.True(rows.Select(r => r.Label).Distinct().Count() > 2);
        var data = ml.Data.LoadFromEnumerable(rows);
        using var model = CrnnOnnxModel.Load(set.ModelPath);
        var pipeline = ml.Transforms.Conversion.MapLabelsToCrnnKeys(model, "Label")
            .Append(ml.Transforms.ClassifyHandwriting(set.ModelPath));
        var scored = pipeline.Fit(data).Transform(data);
        var metrics = ml.MulticlassClassification.Evaluate(scored, "Label");
        Assert.Equal(1.0, metrics.MicroAccuracy, 6);
        Assert.Equal(1.0, metrics.MacroAccuracy, 6);

        // The naive way (MapValueToKey in order of appearance) gets it wrong, which is why the helper exists.
        var naive = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.ClassifyHandwriting(set.ModelPath));
        var wrong = ml.MulticlassClassification.Evaluate(naive.Fit(data).Transform(data), "Label");
        Assert.True(wrong.MicroAccuracy < 0.9);
    }

    [Fact]
    public void Numeric_labels_map_by_text()
    {
        using var set = new DigitSet(count: 20);
        var ml = new MLContext(1);
        var expected = set.ExpectedForPixels();
        var data = ml.Data.LoadFromEnumerable(set.Pixels.Select((p, i) => new BytePixelRow { Image = p, Label = (uint)RawOrt.ArgMax(expected[i]) }).Reverse().ToArray());
        var pipeline = ml.Transforms.Conversion.MapLabelsToCrnnKeys(TestModels.Digits, "Label")
            .Append(ml.Transforms.ClassifyHandwriting(set.ModelPath));
        var metrics = ml.MulticlassClassification.Evaluate(pipeline.Fit(data).Transform(data), "Label");
        Assert.Equal(1.0, metrics.MicroAccuracy, 6);
    }

    /// <summary>A label column that is already a key (in order of appearance, as MapValueToKey makes it) is mapped by its text.</summary>
    [Fact]
    public void Key_labels_map_by_their_text_decided_when_fitted()
    {
        using var set = new DigitSet(count: 20);
        var ml = new MLContext(1);
        var expected = set.ExpectedForPixels();
        var rows = set.Pixels.Select((p, i) => new BytePixelRow { Image = p, Label = (uint)RawOrt.ArgMax(expected[i]) }).Reverse().ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        // Numbers -> text -> keys in order of appearance: key k is NOT the model's class k here.
        var keyed = ml.Transforms.Conversion.ConvertType("LabelText", "Label", Microsoft.ML.Data.DataKind.String)
            .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", "LabelText")).Fit(data).Transform(data);
        var mapping = ml.Transforms.Conversion.MapLabelsToCrnnKeys(TestModels.Digits, "Label", "LabelKey");
        Assert.Contains(mapping.GetOutputSchema(Crnn.MLNet.Transforms.SchemaShapes.From(keyed.Schema)), c => c.Name == "Label" && c.IsKey);
        var pipeline = mapping.Append(ml.Transforms.ClassifyHandwriting(set.ModelPath));
        var metrics = ml.MulticlassClassification.Evaluate(pipeline.Fit(keyed).Transform(keyed), "Label");
        Assert.Equal(1.0, metrics.MicroAccuracy, 6);
    }

    [Fact]
    public void A_missing_or_vector_label_column_is_named_when_fitted()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new FloatPixelRow { Image = new float[784], Label = "7" } });
        var missing = ml.Transforms.Conversion.MapLabelsToCrnnKeys(TestModels.Digits, "Digit");
        Assert.Contains("column 'Digit': not found", Assert.Throws<ArgumentOutOfRangeException>(() => missing.Fit(data)).Message);
        Assert.Contains("column 'Digit': not found", Assert.Throws<ArgumentOutOfRangeException>(() => missing.GetOutputSchema(Crnn.MLNet.Transforms.SchemaShapes.From(data.Schema))).Message);
        var vector = ml.Transforms.Conversion.MapLabelsToCrnnKeys(TestModels.Digits, "Out", "Image");
        Assert.Contains("column 'Image': expected a label", Assert.Throws<ArgumentOutOfRangeException>(() => vector.GetOutputSchema(Crnn.MLNet.Transforms.SchemaShapes.From(data.Schema))).Message);
        Assert.Contains("column 'Image': expected a label", Assert.Throws<ArgumentOutOfRangeException>(() => vector.Fit(data)).Message);
    }

    [Fact]
    public void Prediction_engine_matches_batched_scoring()
    {
        using var set = new DigitSet(count: 10);
        var ml = new MLContext(1);
        var rows = set.Paths.Select((p, i) => new PathRow { Image = p, Label = set.Labels[i] }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.ClassifyHandwriting(set.ModelPath).Fit(data);
        var batched = Read(model.Transform(data));
        var engine = ml.Model.CreatePredictionEngine<PathRow, Prediction>(model);
        for (int i = 0; i < rows.Length; i++)
        {
            var p = engine.Predict(rows[i]);
            Assert.Equal(batched[i].Text, p.PredictedLabelText);
            Assert.Equal(batched[i].Key, p.PredictedLabel);
            for (int c = 0; c < 10; c++) Assert.Equal(batched[i].Score[c], p.Score[c], 5);
        }
    }

    public sealed class Prediction
    {
        public float[] Score { get; set; } = [];
        [KeyType(10)] public uint PredictedLabel { get; set; }
        public string PredictedLabelText { get; set; } = "";
    }

    [Fact]
    public void Eight_threads_score_like_one()
    {
        using var set = new DigitSet(count: 30);
        var ml = new MLContext(1);
        var rows = set.Paths.Select((p, i) => new PathRow { Image = p, Label = set.Labels[i] }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.ClassifyHandwriting(set.ModelPath).Fit(data);
        var single = Read(model.Transform(data));
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            // One engine per thread (PredictionEngine is not thread-safe) and a shared transformer for data views.
            var engine = ml.Model.CreatePredictionEngine<PathRow, Prediction>(model);
            for (int round = 0; round < 3; round++)
                for (int i = (t * 7) % rows.Length, n = 0; n < rows.Length; n++, i = (i + 1) % rows.Length)
                    if (engine.Predict(rows[i]).PredictedLabelText != single[i].Text) failures.Add($"thread {t} row {i}");
            var again = Read(model.Transform(data));
            for (int i = 0; i < rows.Length; i++)
                if (again[i].Text != single[i].Text || again[i].Score[0] != single[i].Score[0]) failures.Add($"thread {t} batched row {i}");
        });
        Assert.Empty(failures);
    }
}
