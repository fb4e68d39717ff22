namespace Crnn.MLNet.Imaging;

/// <summary>
/// One-dimensional resampling with a triangle (bilinear) kernel, widened when shrinking so that every source pixel
/// contributes (anti-aliased, like the area averaging used to make MNIST). Applied to rows, then columns.
/// Not thread-safe: it keeps its filter taps between calls.
/// </summary>
internal sealed class SeparableResampler
{
    private float[] _weights = [];
    private int[] _starts = [];
    private int[] _counts = [];
    private int _taps, _outSize;

    /// <summary>Computes the taps for resampling <paramref name="inSize"/> samples to <paramref name="outSize"/>.</summary>
    public void Prepare(int inSize, int outSize)
    {
        double scale = (double)outSize / inSize;
        double support = scale < 1 ? 1 / scale : 1;
        int maxTaps = (int)Math.Ceiling(support * 2) + 2;
        if (_weights.Length < outSize * maxTaps) _weights = new float[Math.Max(outSize * maxTaps, _weights.Length * 2)];
        if (_starts.Length < outSize) { _starts = new int[outSize]; _counts = new int[outSize]; }
        for (int o = 0; o < outSize; o++)
        {
            double centre = (o + 0.5) / scale - 0.5;
            int first = Math.Max(0, (int)Math.Floor(centre - support) + 1);
            int last = Math.Min(inSize - 1, (int)Math.Ceiling(centre + support) - 1);
            if (last < first) { first = last = Math.Clamp((int)Math.Round(centre), 0, inSize - 1); }
            int count = Math.Min(last - first + 1, maxTaps);
            double total = 0;
            for (int k = 0; k < count; k++)
            {
                double wgt = Math.Max(0, 1 - Math.Abs((first + k - centre) / support));
                _weights[o * maxTaps + k] = (float)wgt;
                total += wgt;
            }
            if (total <= 0) { _weights[o * maxTaps] = 1; total = 1; count = Math.Max(count, 1); }
            for (int k = 0; k < count; k++) _weights[o * maxTaps + k] = (float)(_weights[o * maxTaps + k] / total);
            _starts[o] = first;
            _counts[o] = count;
        }
        _taps = maxTaps;
        _outSize = outSize;
    }

    /// <summary>Resamples one line of samples (strided) with the prepared taps.</summary>
    public void Apply(ReadOnlySpan<float> src, int srcStride, Span<float> dst, int dstStride)
    {
        for (int o = 0; o < _outSize; o++)
        {
            int first = _starts[o], count = _counts[o], wo = o * _taps;
            float acc = 0;
            for (int k = 0; k < count; k++) acc += _weights[wo + k] * src[(first + k) * srcStride];
            dst[o * dstStride] = acc;
        }
    }
}
