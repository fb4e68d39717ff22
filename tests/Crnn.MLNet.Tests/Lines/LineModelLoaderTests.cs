using Crnn.MLNet.Model;
using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Tests.Lines;

public class LineModelLoaderTests
{
    [Fact]
    public void Valid_model_reads_metadata_and_scores_lines_of_any_width()
    {
        using var model = CrnnLineOnnxModel.FromBytes(TestLineModels.Build(), "lines.onnx");
        Assert.Equal(TestLineModels.Labels, model.Labels);
        Assert.Equal(4, model.ClassCount);
        Assert.Equal(28, model.InputHeight);
        Assert.Equal(25, model.TimeSteps(100));
        foreach (int width in new[] { 8, 100 })
        {
            var y = new float[2 * model.TimeSteps(width) * 4];
            model.Run(new float[2 * 28 * width], 2, width, y);
            // Empty input: every step is the blank, and each row is a log-softmax.
            for (int r = 0; r < y.Length / 4; r++)
            {
                Assert.Equal(1.0, y.AsSpan(r * 4, 4).ToArray().Sum(v => Math.Exp(v)), 4);
                Assert.True(y[r * 4] > Math.Log(0.9));
            }
        }
    }

    [Fact]
    public void A_classifier_given_to_the_line_loader_says_what_to_use_instead()
    {
        var e = Assert.Throws<InvalidDataException>(() => CrnnLineOnnxModel.FromBytes(TestModels.Build(), "digit.onnx"));
        Assert.Equal("digit.onnx: this is a character classifier (task 'classification'), not a line model: read single characters with CrnnRecognizer, AppendCrnnClassifier or 'crnn predict'.", e.Message);
    }

    [Fact]
    public void A_line_model_given_to_the_classifier_loader_says_what_to_use_instead()
    {
        var e = Assert.Throws<InvalidDataException>(() => CrnnOnnxModel.FromBytes(TestLineModels.Build(), "lines.onnx"));
        Assert.Equal("lines.onnx: this is a line (CTC) model (task 'line-ctc'), not a character classifier: read lines with CrnnTextRecognizer, AppendCrnnTextRecognizer or 'crnn read'.", e.Message);
    }

    [Fact]
    public void A_fixed_width_input_is_refused()
    {
        var e = Assert.Throws<InvalidDataException>(() => CrnnLineOnnxModel.FromBytes(TestLineModels.Build(inputShape: [-1, 1, 28, 100]), "M.onnx"));
        Assert.Equal("M.onnx: input 'input': expected float [N,1,28,W] (batch and width dynamic), got float [N,1,28,100].", e.Message);
    }

    [Fact]
    public void A_wrong_input_height_is_refused()
    {
        string json = (TestLineModels.Metadata() with { Input = new CrnnLineInputSpec { Height = 32 }, Preprocessing = new CrnnLinePreprocessing() }).ToJson();
        var e = Assert.Throws<InvalidDataException>(() => CrnnLineOnnxModel.FromBytes(TestLineModels.Build(metadataJson: json), "M.onnx"));
        Assert.Equal("M.onnx: input 'input': expected float [N,1,32,W] (batch and width dynamic), got float [N,1,28,W].", e.Message);
    }

    [Fact]
    public void Output_classes_must_be_the_labels_plus_the_blank()
    {
        var e = Assert.Throws<InvalidDataException>(() => CrnnLineOnnxModel.FromBytes(TestLineModels.Build(extraClasses: 1), "M.onnx"));
        Assert.Equal("M.onnx: output 'log_probs': expected float [N,T,4] (batch and time dynamic; 3 labels + the blank), got float [N,T,5].", e.Message);
    }

    [Fact]
    public void A_missing_output_is_named()
    {
        var e = Assert.Throws<InvalidDataException>(() => CrnnLineOnnxModel.FromBytes(TestLineModels.Build(outputName: "scores_out"), "M.onnx"));
        Assert.Contains("M.onnx: output 'log_probs': expected float [N,T,4]", e.Message);
        Assert.Contains("but the model has no such output (outputs: scores_out)", e.Message);
    }

    [Fact]
    public void Time_steps_must_follow_the_metadata()
    {
        string json = TestLineModels.Metadata(timeStepWidth: 2).ToJson();
        var e = Assert.Throws<InvalidDataException>(() => CrnnLineOnnxModel.FromBytes(TestLineModels.Build(metadataJson: json), "M.onnx"));
        Assert.Equal("M.onnx: output 'log_probs': expected [1,4,4] for an input 8 wide (T = W / time step width 2), got [1,2,4].", e.Message);
    }

    [Fact]
    public void Bad_metadata_and_bad_files_are_named()
    {
        Assert.StartsWith("M.onnx: metadata 'crnn.metadata' is not valid JSON for a CRNN line model",
            Assert.Throws<InvalidDataException>(() => CrnnLineOnnxModel.FromBytes(TestLineModels.Build(metadataJson: "{\"task\":\"line-ctc\",\"labels\":[1"), "M.onnx")).Message);
        Assert.Contains("M.onnx: metadata 'crnn.metadata': label 1 is empty",
            Assert.Throws<InvalidDataException>(() => CrnnLineOnnxModel.FromBytes(TestLineModels.Build(metadataJson: TestLineModels.Metadata(["1", "", "3"]).ToJson()), "M.onnx")).Message);
        Assert.Contains("labels must be distinct: '1' appears 2 times",
            Assert.Throws<InvalidDataException>(() => CrnnLineOnnxModel.FromBytes(TestLineModels.Build(metadataJson: TestLineModels.Metadata(["1", "2", "1"]).ToJson()), "M.onnx")).Message);
        Assert.StartsWith("junk.onnx: ONNX Runtime cannot load the model",
            Assert.Throws<InvalidDataException>(() => CrnnLineOnnxModel.FromBytes([1, 2, 3], "junk.onnx")).Message);
        Assert.StartsWith("/nonexistent/lines.onnx: cannot read the model",
            Assert.Throws<FileNotFoundException>(() => CrnnLineOnnxModel.Load("/nonexistent/lines.onnx")).Message);
    }
}
