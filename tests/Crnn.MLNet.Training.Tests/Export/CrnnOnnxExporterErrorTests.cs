using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Export;
using Crnn.MLNet.Training.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Tests.Export;

/// <summary>Clear errors for metadata that does not fit the model and for modules the exporter cannot express.</summary>
public class CrnnOnnxExporterErrorTests
{
    private static readonly CrnnArchitecture Arch = TestModels.Architecture("gru-3layer");

    private static CrnnClassifier Model() => TestModels.Untrained(Arch);

    [Fact]
    public void LabelCountDifferentFromClassCountIsRejected()
    {
        using var model = Model();
        var metadata = TestModels.Metadata(Arch) with { Labels = TestModels.Digits[..9] };
        var e = Assert.Throws<ArgumentException>(() => CrnnOnnxExporter.ExportToBytes(model, metadata));
        Assert.Equal("metadata", e.ParamName);
        Assert.Contains("9 labels", e.Message);
        Assert.Contains("10 classes", e.Message);
    }

    [Fact]
    public void InputSizeDifferentFromArchitectureIsRejected()
    {
        using var model = Model();
        var metadata = TestModels.Metadata(Arch) with { Input = new CrnnInputSpec { Height = 32, Width = 28 } };
        var e = Assert.Throws<ArgumentException>(() => CrnnOnnxExporter.ExportToBytes(model, metadata));
        Assert.Contains("32x28", e.Message);
        Assert.Contains("28x28", e.Message);
    }

    [Fact]
    public void InvalidMetadataIsRejectedWithTheValidatorsReason()
    {
        using var model = Model();
        var metadata = TestModels.Metadata(Arch) with { Normalization = new CrnnNormalization { Mean = 0.1, Std = 0 } };
        var e = Assert.Throws<ArgumentException>(() => CrnnOnnxExporter.ExportToBytes(model, metadata));
        Assert.IsType<InvalidDataException>(e.InnerException);
        Assert.Contains("std", e.Message);
    }

    [Theory]
    [InlineData("probabilities", "probabilities", "must differ")]
    [InlineData("logits", "logits", "must differ")]
    [InlineData("sequence", "logits", "'sequence'")]
    [InlineData("x", "classifier.weight", "'classifier.weight'")]
    public void ClashingTensorNamesAreRejected(string inputName, string logitsName, string expected)
    {
        using var model = Model();
        var metadata = TestModels.Metadata(Arch) with
        {
            Input = new CrnnInputSpec { Name = inputName },
            Output = new CrnnOutputSpec { Logits = logitsName },
        };
        var e = Assert.Throws<ArgumentException>(() => CrnnOnnxExporter.ExportToBytes(model, metadata));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void NullArgumentsAreRejected()
    {
        using var model = Model();
        var metadata = TestModels.Metadata(Arch);
        Assert.Throws<ArgumentNullException>(() => CrnnOnnxExporter.ExportToBytes(null!, metadata));
        Assert.Throws<ArgumentNullException>(() => CrnnOnnxExporter.ExportToBytes(model, null!));
        Assert.Throws<ArgumentNullException>(() => CrnnOnnxExporter.Export(model, metadata, null!));
    }

    [Fact]
    public void UnsupportedKernelSizeIsNamed()
    {
        using var model = Model();
        var conv = model.Blocks[1].Convs[0];
        conv.weight = new Parameter(torch.randn(16, 8, 5, 5));
        var e = Assert.Throws<NotSupportedException>(() => CrnnOnnxExporter.ExportToBytes(model, TestModels.Metadata(Arch)));
        Assert.Contains("block 1 conv 0", e.Message);
        Assert.Contains("5x5", e.Message);
    }

    [Fact]
    public void UnsupportedStrideIsNamed()
    {
        using var model = Model();
        model.Blocks[0].Convs[0].stride = [2, 2];
        var e = Assert.Throws<NotSupportedException>(() => CrnnOnnxExporter.ExportToBytes(model, TestModels.Metadata(Arch)));
        Assert.Contains("block 0 conv 0", e.Message);
        Assert.Contains("stride [2x2]", e.Message);
    }

    [Fact]
    public void BatchNormWithoutRunningStatisticsIsNotSupported()
    {
        using var model = Model();
        model.Blocks[0].Norms[0].running_var = null;
        var e = Assert.Throws<NotSupportedException>(() => CrnnOnnxExporter.ExportToBytes(model, TestModels.Metadata(Arch)));
        Assert.Contains("block 0 conv 0 batch norm", e.Message);
        Assert.Contains("running statistics", e.Message);
    }

    [Fact]
    public void ClassifierOfAnotherShapeIsNamed()
    {
        using var model = Model();
        model.Classifier.weight = new Parameter(torch.randn(11, 64));
        var e = Assert.Throws<NotSupportedException>(() => CrnnOnnxExporter.ExportToBytes(model, TestModels.Metadata(Arch)));
        Assert.Contains("classifier weight", e.Message);
        Assert.Contains("[11x64]", e.Message);
        Assert.Contains("[10x64]", e.Message);
    }

    [Fact]
    public void NonFiniteWeightsAreRejected()
    {
        using var model = Model();
        using (torch.no_grad()) model.Classifier.bias![3] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => CrnnOnnxExporter.ExportToBytes(model, TestModels.Metadata(Arch)));
        Assert.Contains("classifier bias", e.Message);
    }
}
