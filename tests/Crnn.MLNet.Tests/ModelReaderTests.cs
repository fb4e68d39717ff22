using Crnn.MLNet.Model;
using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Tests;

public class ModelReaderTests
{
    [Fact]
    public void Valid_model_reads_metadata_and_scores_a_batch()
    {
        using var model = CrnnOnnxModel.FromBytes(TestModels.Build(), "tiny.onnx");
        Assert.Equal(TestModels.Digits, model.Labels);
        Assert.Equal(784, model.InputSize);
        var x = new float[3 * 784];
        new Random(1).NextBytes(new byte[1]);
        for (int i = 0; i < x.Length; i++) x[i] = (i % 17) / 17f;
        var p = new float[3 * 10];
        var l = new float[3 * 10];
        model.Run(x, 3, p, l);
        for (int r = 0; r < 3; r++) Assert.Equal(1.0, p.AsSpan(r * 10, 10).ToArray().Sum(), 4);
    }

    [Fact]
    public void Wrong_input_shape_is_named()
    {
        var e = Assert.Throws<InvalidDataException>(() => CrnnOnnxModel.FromBytes(TestModels.Build(inputShape: [-1, 784]), "MODEL.onnx"));
        Assert.Equal("MODEL.onnx: input 'input': expected float [N,1,28,28], got float [N,784].", e.Message);
    }

    [Fact]
    public void Fixed_batch_axis_is_refused()
    {
        var e = Assert.Throws<InvalidDataException>(() => CrnnOnnxModel.FromBytes(TestModels.Build(inputShape: [1, 1, 28, 28]), "MODEL.onnx"));
        Assert.Contains("expected float [N,1,28,28], got float [1,1,28,28]", e.Message);
    }

    [Fact]
    public void Missing_input_name_is_named()
    {
        var e = Assert.Throws<InvalidDataException>(() => CrnnOnnxModel.FromBytes(TestModels.Build(inputName: "pixels"), "MODEL.onnx"));
        Assert.Contains("MODEL.onnx: input 'input': expected float [N,1,28,28], but the model has no such input (inputs: pixels)", e.Message);
    }

    [Fact]
    public void Missing_metadata_is_explained()
    {
        var e = Assert.Throws<InvalidDataException>(() => CrnnOnnxModel.FromBytes(TestModels.Build(withMetadata: false), "MODEL.onnx"));
        Assert.Contains("MODEL.onnx: metadata 'crnn.metadata' is missing", e.Message);
    }

    [Fact]
    public void Malformed_metadata_is_explained()
    {
        var e = Assert.Throws<InvalidDataException>(() => CrnnOnnxModel.FromBytes(TestModels.Build(metadataJson: "{\"labels\": [\"0\""), "MODEL.onnx"));
        Assert.StartsWith("MODEL.onnx: metadata 'crnn.metadata' is not valid JSON", e.Message);
    }

    [Fact]
    public void Metadata_labels_must_match_the_output_size()
    {
        string json = TestModels.Metadata(["a", "b", "c"]).ToJson();
        var e = Assert.Throws<InvalidDataException>(() => CrnnOnnxModel.FromBytes(TestModels.Build(metadataJson: json), "MODEL.onnx"));
        Assert.Contains("output 'logits': expected float [N,3] (one per label in the metadata), got float [N,10]", e.Message);
    }

    [Fact]
    public void Not_an_onnx_file_is_named()
    {
        var e = Assert.Throws<InvalidDataException>(() => CrnnOnnxModel.FromBytes([1, 2, 3, 4, 5], "junk.onnx"));
        Assert.StartsWith("junk.onnx: ONNX Runtime cannot load the model", e.Message);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var e = Assert.Throws<FileNotFoundException>(() => CrnnOnnxModel.Load("/nonexistent/dir/m.onnx"));
        Assert.StartsWith("/nonexistent/dir/m.onnx: cannot read the model", e.Message);
    }
}
