using Crnn.MLNet.Imaging;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Tests.Support;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Tests;

public class RecognizerTests
{
    [Fact]
    public async Task All_input_forms_agree_with_raw_onnx_runtime()
    {
        using var set = new DigitSet(count: 15);
        var expected = set.ExpectedForPaths();
        using var recognizer = CrnnRecognizer.Open(set.ModelPath, new CrnnRecognizerOptions { BatchSize = 4 });
        var batch = recognizer.Predict(set.Paths);
        for (int i = 0; i < set.Paths.Count; i++)
        {
            var single = recognizer.Predict(set.Paths[i]);
            using var stream = File.OpenRead(set.Paths[i]);
            var fromStream = recognizer.Predict(stream, set.Paths[i]);
            using var image = MLImage.CreateFromFile(set.Paths[i]);
            var fromImage = recognizer.Predict(image);
            var fromBytes = recognizer.Predict(File.ReadAllBytes(set.Paths[i]).AsMemory(), set.Paths[i]);
            using var asyncStream = File.OpenRead(set.Paths[i]);
            var fromAsync = await recognizer.PredictAsync(asyncStream, set.Paths[i]);
            int best = RawOrt.ArgMax(expected[i]);
            foreach (var p in new[] { batch[i], single, fromStream, fromImage, fromBytes, fromAsync })
            {
                Assert.Equal(best, p.ClassIndex);
                Assert.Equal(TestModels.Digits[best], p.Label);
                Assert.Equal(expected[i][best], p.Confidence, 3);
            }
            Assert.Equal(expected[i][best], single.Confidence, 5);
        }
        var pixelsExpected = set.ExpectedForPixels();
        for (int i = 0; i < set.Pixels.Count; i++)
        {
            var p = recognizer.Predict(set.Pixels[i], 28, 28, CharacterFraming.None);
            Assert.Equal(RawOrt.ArgMax(pixelsExpected[i]), p.ClassIndex);
            Assert.Equal(pixelsExpected[i][p.ClassIndex], p.Confidence, 5);
        }
    }

    [Fact]
    public void Top_k_is_sorted_and_probabilities_sum_to_one()
    {
        using var set = new DigitSet(count: 1);
        using var recognizer = CrnnRecognizer.Open(set.ModelPath);
        var p = recognizer.Predict(set.Paths[0]);
        var top = p.Top(3);
        Assert.Equal(3, top.Count);
        Assert.Equal(p.Label, top[0].Label);
        Assert.True(top[0].Probability >= top[1].Probability && top[1].Probability >= top[2].Probability);
        Assert.Equal(1.0, p.Probabilities.Sum(), 4);
        Assert.Equal(10, p.Top(50).Count);
    }

    [Fact]
    public void Concurrent_predictions_equal_sequential_ones()
    {
        using var set = new DigitSet(count: 20);
        using var recognizer = CrnnRecognizer.Open(set.ModelPath);
        var sequential = set.Paths.Select(p => recognizer.Predict(p)).ToArray();
        var bad = new System.Collections.Concurrent.ConcurrentBag<int>();
        Parallel.For(0, 8, t =>
        {
            for (int r = 0; r < 3; r++)
                for (int i = 0; i < set.Paths.Count; i++)
                {
                    var p = recognizer.Predict(set.Paths[(i + t) % set.Paths.Count]);
                    var s = sequential[(i + t) % set.Paths.Count];
                    if (p.ClassIndex != s.ClassIndex || p.Confidence != s.Confidence) bad.Add(i);
                }
            var batch = recognizer.Predict(set.Paths);
            for (int i = 0; i < batch.Count; i++) if (batch[i].ClassIndex != sequential[i].ClassIndex) bad.Add(i);
        });
        Assert.Empty(bad);
    }

    [Fact]
    public async Task Async_prediction_names_the_stream_in_errors_and_honours_cancellation()
    {
        using var set = new DigitSet(count: 1);
        using var recognizer = CrnnRecognizer.Open(set.ModelPath);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => recognizer.PredictAsync(new MemoryStream([1, 2, 3]), "upload 7"));
        Assert.StartsWith("upload 7:", e.Message);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await using var stream = File.OpenRead(set.Paths[0]);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => recognizer.PredictAsync(stream, "x", cancelled.Token));
    }
}
