using Crnn.MLNet.Decoding;
using Crnn.MLNet.Model;
using Crnn.MLNet.Tests.Support;
using Crnn.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Tests.Lines;

public class TextRecognizerPipelineTests
{
    public sealed class LinePath { public string Image { get; set; } = ""; public string Truth { get; set; } = ""; }
    public sealed class LineRead { public string Text { get; set; } = ""; public float Confidence { get; set; } public string[] Alternatives { get; set; } = []; }
    public sealed class NumberRow { public float Image { get; set; } }

    private static (TempDir Dir, string Model, LinePath[] Rows) Lines(params string[] glyphs)
    {
        var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestLineModels.Build(), "lines.onnx");
        var rows = glyphs.Select((g, i) =>
        {
            string p = dir.File($"line{i}.png");
            File.WriteAllBytes(p, TestLineModels.Png(g));
            return new LinePath { Image = p, Truth = g.Replace(" ", "") };
        }).ToArray();
        return (dir, model, rows);
    }

    [Fact]
    public void Loaded_images_give_text_confidence_and_alternatives()
    {
        var (dir, model, rows) = Lines("123", "2 1 3", "11");
        using (dir)
        {
            var ml = new MLContext(1);
            var data = ml.Data.LoadFromEnumerable(rows);
            var pipeline = ml.Transforms.LoadImages("Loaded", imageFolder: null, inputColumnName: "Image")
                .AppendCrnnTextRecognizer(ml, model, "Loaded");
            var transformer = pipeline.Fit(data);
            var scored = transformer.Transform(data);
            var schema = scored.Schema;
            Assert.Equal(TextDataViewType.Instance, schema["Text"].Type);
            Assert.Equal(NumberDataViewType.Single, schema["Confidence"].Type);
            Assert.Equal(new VectorDataViewType(TextDataViewType.Instance), schema["Alternatives"].Type);
            var read = ml.Data.CreateEnumerable<LineRead>(scored, reuseRowObject: false).ToArray();
            Assert.Equal(rows.Select(r => r.Truth), read.Select(r => r.Text));
            Assert.All(read, r => Assert.InRange(r.Confidence, 0.5f, 1f));
            Assert.All(read, r => Assert.Equal(r.Text.Length, r.Alternatives.Length));
            // One entry per character: "c=p c=p c=p", most likely first, here the character itself.
            Assert.All(read.SelectMany(r => r.Text.Zip(r.Alternatives)), p => Assert.Matches($@"^{p.First}=0\.9\d{{3}} .=0\.\d{{4}} .=0\.\d{{4}}$", p.Second));
            // Pass-through columns stay.
            Assert.Equal(rows.Select(r => r.Truth), scored.GetColumn<string>("Truth"));
        }
    }

    [Fact]
    public void Catalog_method_reads_paths_and_takes_decoding_options()
    {
        var (dir, model, rows) = Lines("123", "321");
        using (dir)
        {
            var ml = new MLContext(1);
            var data = ml.Data.LoadFromEnumerable(rows);
            var options = new CrnnTextTransformOptions(textColumnName: "Read", alternativesColumnName: null,
                decoding: new CrnnCtcDecodingOptions { Pattern = "[12]+" });
            var scored = ml.Transforms.ReadHandwrittenText(model, options).Fit(data).Transform(data);
            Assert.Null(scored.Schema.GetColumnOrNull("Alternatives"));
            Assert.Equal(["12", "21"], scored.GetColumn<string>("Read"));
        }
    }

    [Fact]
    public void Prediction_engine_reads_one_line_at_a_time()
    {
        var (dir, model, rows) = Lines("1321");
        using (dir)
        {
            var ml = new MLContext(1);
            var data = ml.Data.LoadFromEnumerable(rows);
            var transformer = ml.Transforms.ReadHandwrittenText(model).Fit(data);
            var engine = ml.Model.CreatePredictionEngine<LinePath, LineRead>(transformer);
            Assert.Equal("1321", engine.Predict(rows[0]).Text);
        }
    }

    [Fact]
    public void Schema_is_checked_by_the_estimator_and_the_transformer()
    {
        var (dir, model, rows) = Lines("1");
        using (dir)
        {
            var ml = new MLContext(1);
            var estimator = ml.Transforms.ReadHandwrittenText(model);
            var numbers = ml.Data.LoadFromEnumerable(new[] { new NumberRow { Image = 1 } });
            var shape = SchemaShapes.From(numbers.Schema);
            var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(shape));
            Assert.Contains("column 'Image': expected Image (MLImage) or text (image path), got Single", e1.Message);
            var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(numbers));
            Assert.Contains("column 'Image': expected Image (MLImage) or text (image path), got Single", e2.Message);
            var paths = ml.Data.LoadFromEnumerable(rows);
            var transformer = estimator.Fit(paths);
            var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => transformer.GetOutputSchema(numbers.Schema));
            Assert.Contains("got Single", e3.Message);
            var outShape = estimator.GetOutputSchema(SchemaShapes.From(paths.Schema));
            Assert.Equal(SchemaShape.Column.VectorKind.VariableVector, outShape.Single(c => c.Name == "Alternatives").Kind);
        }
    }

    [Fact]
    public void Bad_images_are_named_by_column_row_and_file()
    {
        var (dir, model, rows) = Lines("1");
        using (dir)
        {
            var ml = new MLContext(1);
            var missing = new[] { new LinePath { Image = dir.File("missing.png") } };
            var data = ml.Data.LoadFromEnumerable(missing);
            var transformer = ml.Transforms.ReadHandwrittenText(model).Fit(data);
            var e = Assert.Throws<InvalidDataException>(() => transformer.Transform(data).GetColumn<string>("Text").ToArray());
            Assert.Contains(dir.File("missing.png"), e.Message);
            Assert.StartsWith("column 'Image', row 0: ", e.Message);

            // Saved and loaded: the same error, named by column and file (the saved form sees no row numbers).
            var stream = new MemoryStream();
            ml.Model.Save(transformer, data.Schema, stream);
            stream.Position = 0;
            var loaded = new MLContext(2).Model.Load(stream, out _);
            var saved = Assert.ThrowsAny<Exception>(() => loaded.Transform(data).GetColumn<string>("Text").ToArray());
            while (saved is not InvalidDataException && saved.InnerException is not null) saved = saved.InnerException;
            Assert.IsType<InvalidDataException>(saved);
            Assert.Contains(dir.File("missing.png"), saved.Message);
            Assert.StartsWith("column 'Image': ", saved.Message);
        }
    }

    public static TheoryData<bool, string> SaveCases() => new()
    {
        { false, "default" }, { true, "default" }, { false, "greedy" }, { true, "pattern" }, { false, "no-alternatives" },
    };

    [Theory]
    [MemberData(nameof(SaveCases))]
    public void Saved_text_pipeline_loads_in_a_fresh_context_and_reads_the_same(bool loadImages, string decoding)
    {
        var (dir, model, rows) = Lines("123", "2 1 3", "11", "3", "1 2 3 1 2");
        using (dir)
        {
            var ml = new MLContext(1);
            var data = ml.Data.LoadFromEnumerable(rows);
            var options = new CrnnTextTransformOptions(
                inputColumnName: loadImages ? "Loaded" : "Image",
                textColumnName: "Read",
                alternativesColumnName: decoding == "no-alternatives" ? null : "Why",
                polarity: Imaging.InkPolarity.DarkOnLight,
                decoding: decoding switch
                {
                    "greedy" => new CrnnCtcDecodingOptions { Mode = CrnnCtcDecodingMode.Greedy, Alternatives = 2 },
                    "pattern" => new CrnnCtcDecodingOptions { Pattern = @"\d{1,3}", Alphabet = "123", BeamWidth = 4 },
                    _ => null,
                });
            IEstimator<ITransformer> start = loadImages
                ? ml.Transforms.LoadImages("Loaded", imageFolder: null, inputColumnName: "Image")
                : ml.Transforms.CopyColumns("Copy", "Image");
            var live = start.AppendCrnnTextRecognizer(ml, model, options).Fit(data);

            var stream = new MemoryStream();
            ml.Model.Save(live, data.Schema, stream);
            stream.Position = 0;
            var loaded = new MLContext(2).Model.Load(stream, out var schema);
            Assert.DoesNotContain(Flatten(loaded), t => t is CrnnTextRecognizingTransformer);

            var expected = live.Transform(data);
            var actual = loaded.Transform(data);
            Assert.Equal(expected.Schema.Select(c => (c.Name, c.Type.ToString())), actual.Schema.Select(c => (c.Name, c.Type.ToString())));
            Assert.Equal(expected.GetColumn<string>("Read"), actual.GetColumn<string>("Read"));
            var ce = expected.GetColumn<float>("Confidence").ToArray();
            var ca = actual.GetColumn<float>("Confidence").ToArray();
            for (int i = 0; i < ce.Length; i++) Assert.True(Math.Abs(ce[i] - ca[i]) < 1e-5, $"row {i}: {ce[i]} vs {ca[i]}");
            if (options.AlternativesColumnName is { } why)
                Assert.Equal(expected.GetColumn<string[]>(why).SelectMany(a => a), actual.GetColumn<string[]>(why).SelectMany(a => a));
            // Not trivially equal: the loaded pipeline reads the lines the tiny model knows.
            Assert.Equal(rows.Take(3).Select(r => r.Truth), actual.GetColumn<string>("Read").Take(3));
            if (decoding == "pattern") Assert.All(actual.GetColumn<string>("Read"), t => Assert.InRange(t.Length, 0, 3));
        }
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer t) =>
        t is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [t];

    [Fact]
    public void A_classifier_model_or_an_unfit_alphabet_fails_when_the_pipeline_is_written()
    {
        using var dir = new TempDir();
        string classifier = TestModels.WriteTemp(dir, TestModels.Build(), "digit.onnx");
        string lines = TestModels.WriteTemp(dir, TestLineModels.Build(), "lines.onnx");
        var ml = new MLContext(1);
        Assert.Contains("this is a character classifier", Assert.Throws<InvalidDataException>(() => ml.Transforms.ReadHandwrittenText(classifier)).Message);
        var e = Assert.Throws<ArgumentException>(() => ml.Transforms.ReadHandwrittenText(lines, new CrnnTextTransformOptions(decoding: new() { Alphabet = "9" })));
        Assert.Contains("alphabet: '9'", e.Message);
        Assert.Throws<ArgumentException>(() => new CrnnTextTransformOptions(textColumnName: "X", confidenceColumnName: "X"));
    }
}
