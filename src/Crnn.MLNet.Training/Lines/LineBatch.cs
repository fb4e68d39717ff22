using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Lines;

/// <summary>
/// Tensors for one CTC step: lines padded on the right with background to the widest line of the batch
/// (<c>N x 1 x H x W</c>, standardised), the targets concatenated (class = label + 1, 0 being the blank), and
/// each line's number of time steps and of characters.
/// </summary>
internal sealed record LineBatch(Tensor Input, Tensor Targets, Tensor InputLengths, Tensor TargetLengths, int[] Steps)
{
    /// <summary>Builds the batch tensors; they belong to the caller's dispose scope.</summary>
    public static LineBatch Build(IReadOnlyList<SynthesizedLine> lines, double mean, double std, int timeStepWidth)
    {
        int n = lines.Count, h = lines[0].Height;
        int w = lines.Max(l => l.Width);
        float background = (float)((0 - mean) / std), inv = (float)(1 / std), m = (float)mean;
        var pixels = new float[n * h * w];
        Array.Fill(pixels, background);
        var steps = new int[n];
        var lengths = new long[n];
        var targets = new List<long>();
        for (int i = 0; i < n; i++)
        {
            var line = lines[i];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < line.Width; x++)
                    pixels[(i * h + y) * w + x] = (line.Pixels[y * line.Width + x] - m) * inv;
            steps[i] = line.Width / timeStepWidth;
            lengths[i] = line.Labels.Length;
            foreach (int label in line.Labels) targets.Add(label + 1);
        }
        return new LineBatch(
            tensor(pixels, new long[] { n, 1, h, w }),
            tensor(targets.ToArray()),
            tensor(steps.Select(s => (long)s).ToArray()),
            tensor(lengths),
            steps);
    }
}
