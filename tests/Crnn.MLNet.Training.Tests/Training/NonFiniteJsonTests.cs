using System.Text.Json;
using Crnn.MLNet.Training.Lines;
using Crnn.MLNet.Training.Model;
using Crnn.MLNet.Training.Tests.Export;
using Crnn.MLNet.Training.Training;
using TorchSharp;

namespace Crnn.MLNet.Training.Tests.Training;

/// <summary>NaN and infinities (an overflowing validation loss) never stop history, summary or checkpoint state from being written and read back.</summary>
public sealed class NonFiniteJsonTests
{
    private static readonly EpochRecord[] History =
    [
        new() { Epoch = 1, TrainLoss = 2.3, ValidationLoss = double.PositiveInfinity, LearningRate = 1e-3 },
        new() { Epoch = 2, TrainLoss = double.NaN, ValidationLoss = double.NegativeInfinity, ValidationAccuracy = double.NaN },
    ];

    [Fact]
    public void HistoryWithNaNAndInfinityRoundTrips()
    {
        string json = JsonSerializer.Serialize(History, TrainingCheckpoint.Json);
        Assert.Contains("\"Infinity\"", json);
        Assert.Contains("\"-Infinity\"", json);
        Assert.Contains("\"NaN\"", json);
        // Still a JSON document any reader can parse (the named values are strings).
        using (JsonDocument.Parse(json)) { }

        var back = JsonSerializer.Deserialize<EpochRecord[]>(json, TrainingCheckpoint.Json)!;
        Assert.Equal(History, back); // records compare doubles with Equals, under which NaN equals NaN
        Assert.True(double.IsNaN(back[1].TrainLoss));
        Assert.Equal(double.PositiveInfinity, back[0].ValidationLoss);
    }

    [Fact]
    public void LineHistoryAndSummariesWithNaNAndInfinityRoundTrip()
    {
        LineEpochRecord[] lines = [new() { Epoch = 1, TrainLoss = double.NaN, ValidationLoss = double.PositiveInfinity }];
        var back = JsonSerializer.Deserialize<LineEpochRecord[]>(JsonSerializer.Serialize(lines, TrainingCheckpoint.Json), TrainingCheckpoint.Json)!;
        Assert.Equal(lines, back);

        var summary = new TrainingSummary { Dataset = "d", Architecture = "a", BestValidationLoss = double.PositiveInfinity, TestLoss = double.NaN };
        Assert.Equal(summary, JsonSerializer.Deserialize<TrainingSummary>(JsonSerializer.Serialize(summary, TrainingCheckpoint.Json), TrainingCheckpoint.Json));
    }

    [Fact]
    public void CheckpointStateWithAnInfiniteValidationLossIsWrittenAndRead()
    {
        using var temp = new TempFolder();
        var architecture = new CrnnArchitecture(10, [4], convsPerBlock: 1, recurrentHidden: 4);
        torch.manual_seed(1);
        using var model = new CrnnClassifier(architecture);
        var optimizer = torch.optim.Adam(model.parameters());
        var state = new CheckpointState
        {
            Dataset = "d", LabelNames = Enumerable.Range(0, 10).Select(i => i.ToString()).ToArray(), Architecture = architecture,
            Options = new TrainingOptions(), EpochsCompleted = 2, History = History,
        };
        string path = Path.Combine(temp.Path, "checkpoint.ckpt");

        TrainingCheckpoint.Save(path, state, model, TrainingCheckpoint.WeightsToBytes(model), optimizer);

        Assert.Equal(History, TrainingCheckpoint.ReadState(path).History);
    }
}
