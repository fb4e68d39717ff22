using Crnn.MLNet.Model;
using Crnn.MLNet.Tests.Support;
using Crnn.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Tests;

/// <summary>
/// Batched cursors keep one batch per core in flight (each run on a single-threaded session) unless the session options
/// fix the threads; either way rows come out in input order with their own scores and pass-through values.
/// </summary>
public class ConcurrentScoringTests
{
    private static readonly CrnnSessionOptions OneRunAtATime = new() { IntraOpThreads = 1 };

    private static List<(float[] Score, uint Key, uint Label, DataViewRowId Id)> Read(IDataView scored)
    {
        var rows = new List<(float[], uint, uint, DataViewRowId)>();
        using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name is "Score" or "PredictedLabel" or "Label"));
        var score = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        var key = cursor.GetGetter<uint>(scored.Schema["PredictedLabel"]);
        var label = cursor.GetGetter<uint>(scored.Schema["Label"]);
        var id = cursor.GetIdGetter();
        VBuffer<float> s = default;
        uint k = 0, l = 0;
        DataViewRowId rowId = default;
        while (cursor.MoveNext())
        {
            score(ref s); key(ref k); label(ref l); id(ref rowId);
            rows.Add((s.DenseValues().ToArray(), k, l, rowId));
        }
        return rows;
    }

    [Fact]
    public void Default_options_run_one_batch_per_core_and_fixed_threads_one_at_a_time()
    {
        using var set = new DigitSet(count: 1);
        using var concurrent = CrnnOnnxModel.Load(set.ModelPath);
        using var sequential = CrnnOnnxModel.Load(set.ModelPath, OneRunAtATime);
        Assert.Equal(Math.Max(1, Environment.ProcessorCount), concurrent.ConcurrentRuns);
        Assert.Equal(1, sequential.ConcurrentRuns);
    }

    [Theory]
    [InlineData(1)]   // every batch is one row: many batches in flight
    [InlineData(3)]   // 40 rows: 13 full batches and a short last one
    [InlineData(8)]   // 40 rows: full batches only
    [InlineData(64)]  // one short batch
    public void Rows_come_out_in_order_with_their_own_scores(int batchSize)
    {
        using var set = new DigitSet(count: 40);
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(set.Pixels.Select((p, i) => new BytePixelRow { Image = p, Label = (uint)i }));
        var expected = set.ExpectedForPixels();
        foreach (var options in new[] { CrnnSessionOptions.Default, OneRunAtATime })
        {
            using var model = new EstimatorChain<ITransformer>().AppendCrnnClassifier(ml, set.ModelPath,
                new CrnnClassifierOptions(batchSize: batchSize, sessionOptions: options)).Fit(data);
            var rows = Read(model.Transform(data));
            Assert.Equal(expected.Length, rows.Count);
            for (int i = 0; i < rows.Count; i++)
            {
                Assert.Equal((uint)i, rows[i].Label); // pass-through values stay with their row
                Assert.Equal((ulong)i, rows[i].Id.Low);
                for (int c = 0; c < expected[i].Length; c++) Assert.Equal(expected[i][c], rows[i].Score[c], 5);
                Assert.Equal((uint)RawOrt.ArgMax(expected[i]) + 1, rows[i].Key);
            }
        }
    }

    [Fact]
    public void A_cursor_left_early_waits_for_its_runs_and_the_transformer_scores_again()
    {
        using var set = new DigitSet(count: 40);
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(set.Pixels.Select((p, i) => new BytePixelRow { Image = p, Label = (uint)i }));
        var expected = set.ExpectedForPixels();
        using var model = new EstimatorChain<ITransformer>().AppendCrnnClassifier(ml, set.ModelPath, new CrnnClassifierOptions(batchSize: 4)).Fit(data);
        var scored = model.Transform(data);
        for (int round = 0; round < 20; round++)
        {
            // Leave after a few rows, while later batches may still be scoring into the cursor's pinned arrays.
            using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name == "Score"));
            for (int i = 0; i <= round % 6; i++) Assert.True(cursor.MoveNext());
        }
        var rows = Read(scored);
        Assert.Equal(expected.Length, rows.Count);
        for (int i = 0; i < rows.Count; i++)
            for (int c = 0; c < expected[i].Length; c++) Assert.Equal(expected[i][c], rows[i].Score[c], 5);
    }
}
