using System.Text.Json;
using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Export;
using Crnn.MLNet.Training.Model;

namespace Crnn.MLNet.Training.Tests.Export;

public class CrnnMetadataFactoryTests
{
    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("lstm-2layer")]
    [InlineData("gru-3layer")]
    public void ParameterCountMatchesTheModel(string variant)
    {
        var arch = TestModels.Architecture(variant);
        using var model = TestModels.Untrained(arch);
        Assert.Equal(model.ParameterCount(), CrnnMetadataFactory.ParameterCount(arch));
    }

    [Fact]
    public void MetadataDescribesTheArchitectureAndRoundTrips()
    {
        var arch = new CrnnArchitecture(10, widths: [16, 32, 64], recurrent: RecurrentKind.Gru, recurrentHidden: 64, recurrentLayers: 2);
        var metrics = new Dictionary<string, double> { ["test.accuracy"] = 0.991 };
        var metadata = CrnnMetadataFactory.Create(arch, TestModels.Digits, "mnist", 0.1307, 0.3081, metrics);

        Assert.Equal(TestModels.Digits, metadata.Labels);
        Assert.Equal("mnist", metadata.Dataset);
        Assert.Equal((28, 28), (metadata.Input.Height, metadata.Input.Width));
        Assert.Equal(0.3081, metadata.Normalization.Std);
        Assert.Equal(0.991, metadata.Metrics!["test.accuracy"]);
        Assert.StartsWith("Crnn.MLNet ", metadata.Producer);
        var a = metadata.Architecture!;
        Assert.Equal(arch.MultiplyAccumulates(), a["macsPerImage"].GetInt64());
        Assert.Equal(CrnnMetadataFactory.ParameterCount(arch), a["parameterCount"].GetInt64());
        Assert.Equal("Gru", a["recurrent"].GetString());
        Assert.Equal(new[] { 16, 32, 64 }, a["widths"].EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(2, a["recurrentLayers"].GetInt32());
        Assert.Equal(arch.ToString(), a["summary"].GetString());

        var parsed = CrnnModelMetadata.FromJson(metadata.ToJson(), "test");
        Assert.Equal(metadata.ToJson(), parsed.ToJson());
        // The summary holds every architecture property, so the architecture can be rebuilt from it.
        var rebuilt = JsonSerializer.Deserialize<CrnnArchitecture>(JsonSerializer.Serialize(parsed.Architecture),
            new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
        Assert.Equal(arch, rebuilt);
    }

    [Fact]
    public void LabelCountMustMatchTheClassCount()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            CrnnMetadataFactory.Create(new CrnnArchitecture(10), TestModels.Digits[..8], "mnist", 0.1307, 0.3081, null));
        Assert.Contains("8 labels", e.Message);
        Assert.Contains("10 classes", e.Message);
    }

    [Fact]
    public void InvalidNormalisationIsRejected()
    {
        Assert.Throws<ArgumentException>(() => CrnnMetadataFactory.Create(new CrnnArchitecture(10), TestModels.Digits, "mnist", 0.1, 0, null));
    }
}
