using System.Diagnostics;
using System.Runtime.CompilerServices;
using Crnn.MLNet.Cli.Commands;
using Crnn.MLNet.Training.Native;
using Crnn.MLNet.Training.Training;
using TorchSharp;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>
/// The same network evaluated eagerly in TorchSharp (LibTorch, CPU) from a training checkpoint, on the normalised images.
/// Only this class touches TorchSharp, and only when a checkpoint is given, so the other steps never load LibTorch.
/// </summary>
internal static class TorchSharpBench
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ThroughputResult Run(string checkpointPath, BenchImages images, int batchSize)
    {
        BackendCalibration.InitializeTorch(Console.Error);
        var (model, _) = TrainingCheckpoint.LoadModel(checkpointPath);
        using var _model = model;
        using var noGrad = torch.no_grad();
        int size = images.Width * images.Height;
        var batches = new List<torch.Tensor>();
        try
        {
            for (int start = 0; start < images.Count; start += batchSize)
            {
                int n = Math.Min(batchSize, images.Count - start);
                batches.Add(torch.tensor(images.Normalized.AsSpan(start * size, n * size).ToArray(), new long[] { n, 1, images.Height, images.Width }));
            }
            // Dispose scopes free each forward's intermediate tensors at once: the GC sees only their small managed
            // handles and would otherwise let gigabytes of LibTorch memory pile up.
            using (torch.NewDisposeScope()) model.forward(batches[0]);
            var predicted = new int[images.Count];
            int done = 0;
            var sw = Stopwatch.StartNew();
            foreach (var x in batches)
            {
                using var scope = torch.NewDisposeScope();
                foreach (long k in model.forward(x).argmax(1).data<long>()) predicted[done++] = (int)k;
            }
            sw.Stop();
            return new ThroughputResult(images.Count, sw.Elapsed.TotalSeconds, images.Accuracy(predicted), batchSize);
        }
        finally
        {
            foreach (var t in batches) t.Dispose();
        }
    }
}
