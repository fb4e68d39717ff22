namespace Crnn.MLNet.Training.Quantization;

/// <summary>
/// Histogram of one non-negative activation (a ReLU output) over the calibration images, and the clipping threshold
/// each <see cref="CalibrationMethod"/> picks from it. Filled in two passes: <see cref="ObserveMax"/> over every batch
/// fixes the range, then <see cref="Add"/> over every batch counts values in <see cref="Bins"/> equal bins of it.
/// </summary>
internal sealed class ActivationHistogram
{
    public const int Bins = 2048;

    /// <summary>Levels of the quantised type (uint8 from 0: a ReLU output never needs negative levels).</summary>
    public const int Levels = 256;

    private readonly long[] _counts = new long[Bins];
    private float _max;
    private bool _frozen;

    public ActivationHistogram(string tensor) => Tensor = tensor;

    public string Tensor { get; }
    public float Max => _max;
    public long Count { get; private set; }

    public void ObserveMax(ReadOnlySpan<float> values)
    {
        if (_frozen) throw new InvalidOperationException("the range is fixed once counting has started");
        foreach (float v in values)
        {
            if (float.IsNaN(v) || float.IsInfinity(v))
                throw new InvalidDataException($"activation '{Tensor}': the model produced {v} on a calibration image; it cannot be quantised.");
            if (v > _max) _max = v;
        }
    }

    public void Add(ReadOnlySpan<float> values)
    {
        _frozen = true;
        if (_max <= 0)
        {
            Count += values.Length;
            _counts[0] += values.Length;
            return;
        }
        float perBin = Bins / _max;
        foreach (float v in values)
        {
            int bin = (int)(Math.Max(v, 0f) * perBin);
            _counts[Math.Min(bin, Bins - 1)]++;
        }
        Count += values.Length;
    }

    /// <summary>The value that maps to the top quantised level; larger values clip to it.</summary>
    public float Threshold(CalibrationMethod method, double percentile)
    {
        if (_max <= 0) return 1f; // a dead channel: any positive scale represents its zeros exactly
        return method switch
        {
            CalibrationMethod.MinMax => _max,
            CalibrationMethod.Percentile => PercentileThreshold(percentile),
            CalibrationMethod.Entropy => EntropyThreshold(),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
        };
    }

    private float BinWidth => _max / Bins;

    private float PercentileThreshold(double percentile)
    {
        double target = Count * percentile / 100.0;
        long cumulative = 0;
        for (int i = 0; i < Bins; i++)
        {
            cumulative += _counts[i];
            if (cumulative >= target) return (i + 1) * BinWidth;
        }
        return _max;
    }

    /// <summary>
    /// Keeps the first i bins (values above clip into the last kept bin) for i from <see cref="Levels"/> to
    /// <see cref="Bins"/>, merges them into <see cref="Levels"/> quantised levels, spreads each level's count back over
    /// its non-empty bins, and returns the i whose result has the least KL divergence from the clipped histogram.
    /// </summary>
    private float EntropyThreshold()
    {
        // The first bin is mostly ReLU's exact zeros, which every threshold represents exactly: leave them out, or
        // their weight makes the divergence favour thresholds that clip the real signal.
        var counts = (long[])_counts.Clone();
        counts[0] = 0;
        double bestDivergence = double.PositiveInfinity;
        int bestBins = Bins;
        var p = new double[Bins];
        var q = new double[Bins];
        for (int kept = Levels; kept <= Bins; kept += 8)
        {
            long outliers = 0;
            for (int j = kept; j < Bins; j++) outliers += counts[j];
            for (int j = 0; j < kept; j++) p[j] = counts[j];
            p[kept - 1] += outliers;

            for (int level = 0; level < Levels; level++)
            {
                int start = (int)((long)level * kept / Levels), end = (int)((long)(level + 1) * kept / Levels);
                double total = 0;
                int nonEmpty = 0;
                for (int j = start; j < end; j++)
                {
                    total += counts[j];
                    if (counts[j] > 0) nonEmpty++;
                }
                for (int j = start; j < end; j++) q[j] = counts[j] > 0 ? total / nonEmpty : 0;
            }

            double divergence = Divergence(p, q, kept);
            if (divergence < bestDivergence)
            {
                bestDivergence = divergence;
                bestBins = kept;
            }
        }
        return bestBins * BinWidth;
    }

    private static double Divergence(double[] p, double[] q, int n)
    {
        double pSum = 0, qSum = 0;
        for (int j = 0; j < n; j++) { pSum += p[j]; qSum += q[j]; }
        if (pSum == 0 || qSum == 0) return double.PositiveInfinity;
        double kl = 0;
        for (int j = 0; j < n; j++)
        {
            if (p[j] == 0) continue;
            double pj = p[j] / pSum;
            // The clipped bin's outliers have no counterpart in q: a small floor keeps the divergence finite but large.
            double qj = Math.Max(q[j] / qSum, 1e-12);
            kl += pj * Math.Log(pj / qj);
        }
        return kl;
    }
}
