namespace Crnn.MLNet.Training.Native.Backend;

/// <summary>
/// The check network computed in plain managed float64, with no native code at all: the reference LibTorch's
/// kernels are compared with. Straightforward loops, written from the layers' definitions (PyTorch's gate orders:
/// LSTM i, f, g, o; GRU r, z, n with the reset gate applied after the hidden-to-hidden product).
/// </summary>
internal static class ReferenceNetwork
{
    private const int N = CheckNetworkSpec.Batch;

    /// <summary>Output (steps, batch, classes) for the given parameter values; <paramref name="training"/> uses batch statistics.</summary>
    public static double[] Forward(Func<string, double[]> p, double[] input, bool training)
    {
        int h = CheckNetworkSpec.Height, w = CheckNetworkSpec.Width;
        var x = Conv3x3(input, CheckNetworkSpec.InChannels, h, w, p("conv1.weight"), p("conv1.bias"), CheckNetworkSpec.Conv1);
        x = BatchNorm(x, CheckNetworkSpec.Conv1, h * w, p, "bn1", training);
        x = MaxPool(Relu(x), CheckNetworkSpec.Conv1, h, w, 2, 2);
        h /= 2; w /= 2;
        x = Conv3x3(x, CheckNetworkSpec.Conv1, h, w, p("conv2.weight"), p("conv2.bias"), CheckNetworkSpec.Conv2);
        x = BatchNorm(x, CheckNetworkSpec.Conv2, h * w, p, "bn2", training);
        x = MaxPool(Relu(x), CheckNetworkSpec.Conv2, h, w, 2, 1);
        h /= 2;
        var sequence = ToSequence(x, CheckNetworkSpec.Conv2, h, w);
        int steps = w;
        var lstm = Bidirectional(sequence, steps, CheckNetworkSpec.SequenceFeatures, p, "lstm", LstmStep, 4);
        var gru = Bidirectional(lstm, steps, 2 * CheckNetworkSpec.Hidden, p, "gru", GruStep, 3);
        return Linear(gru, steps * N, 2 * CheckNetworkSpec.Hidden, p("head.weight"), p("head.bias"), CheckNetworkSpec.Classes);
    }

    /// <summary>3x3 convolution, stride 1, zero padding 1; x is (N, C, H, W).</summary>
    internal static double[] Conv3x3(double[] x, int c, int h, int w, double[] weight, double[] bias, int outChannels)
    {
        var y = new double[N * outChannels * h * w];
        for (int n = 0; n < N; n++)
            for (int o = 0; o < outChannels; o++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < w; j++)
                    {
                        double sum = bias[o];
                        for (int ci = 0; ci < c; ci++)
                            for (int ki = 0; ki < 3; ki++)
                            {
                                int ii = i + ki - 1;
                                if (ii < 0 || ii >= h) continue;
                                for (int kj = 0; kj < 3; kj++)
                                {
                                    int jj = j + kj - 1;
                                    if (jj < 0 || jj >= w) continue;
                                    sum += weight[((o * c + ci) * 3 + ki) * 3 + kj] * x[((n * c + ci) * h + ii) * w + jj];
                                }
                            }
                        y[((n * outChannels + o) * h + i) * w + j] = sum;
                    }
        return y;
    }

    /// <summary>Batch norm over (N, H, W) per channel: batch statistics (biased variance) in training, running ones otherwise.</summary>
    internal static double[] BatchNorm(double[] x, int c, int plane, Func<string, double[]> p, string name, bool training)
    {
        double[] gamma = p($"{name}.weight"), beta = p($"{name}.bias");
        double[] runningMean = p($"{name}.running_mean"), runningVar = p($"{name}.running_var");
        var y = new double[x.Length];
        for (int ch = 0; ch < c; ch++)
        {
            double mean = runningMean[ch], variance = runningVar[ch];
            if (training)
            {
                double sum = 0, squares = 0;
                for (int n = 0; n < N; n++)
                    for (int k = 0; k < plane; k++) sum += x[(n * c + ch) * plane + k];
                mean = sum / (N * plane);
                for (int n = 0; n < N; n++)
                    for (int k = 0; k < plane; k++) { double d = x[(n * c + ch) * plane + k] - mean; squares += d * d; }
                variance = squares / (N * plane);
            }
            double scale = gamma[ch] / Math.Sqrt(variance + CheckNetworkSpec.BatchNormEps);
            for (int n = 0; n < N; n++)
                for (int k = 0; k < plane; k++)
                {
                    int at = (n * c + ch) * plane + k;
                    y[at] = (x[at] - mean) * scale + beta[ch];
                }
        }
        return y;
    }

    internal static double[] Relu(double[] x) => x.Select(v => Math.Max(0, v)).ToArray();

    /// <summary>Max-pool with stride equal to the kernel (kh, kw); x is (N, C, H, W).</summary>
    internal static double[] MaxPool(double[] x, int c, int h, int w, int kh, int kw)
    {
        int oh = h / kh, ow = w / kw;
        var y = new double[N * c * oh * ow];
        for (int nc = 0; nc < N * c; nc++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double max = double.NegativeInfinity;
                    for (int a = 0; a < kh; a++)
                        for (int b = 0; b < kw; b++) max = Math.Max(max, x[(nc * h + i * kh + a) * w + j * kw + b]);
                    y[(nc * oh + i) * ow + j] = max;
                }
        return y;
    }

    /// <summary>(N, C, H, W) → (W, N, C*H): each column a time step, features ordered channel-major (as <c>CrnnLayers</c>).</summary>
    internal static double[] ToSequence(double[] x, int c, int h, int w)
    {
        var y = new double[w * N * c * h];
        for (int t = 0; t < w; t++)
            for (int n = 0; n < N; n++)
                for (int ch = 0; ch < c; ch++)
                    for (int i = 0; i < h; i++)
                        y[((t * N + n) * c + ch) * h + i] = x[((n * c + ch) * h + i) * w + t];
        return y;
    }

    private delegate void CellStep(double[] gatesInput, double[] gatesHidden, double[] hState, double[] cState, int hidden);

    /// <summary>Stacked bidirectional recurrent layers over (T, N, F); output (T, N, 2·hidden), forward then reverse halves.</summary>
    private static double[] Bidirectional(double[] input, int steps, int features, Func<string, double[]> p, string name, CellStep step, int gates)
    {
        int hidden = CheckNetworkSpec.Hidden;
        var x = input;
        int fin = features;
        for (int layer = 0; layer < CheckNetworkSpec.Layers; layer++)
        {
            var output = new double[steps * N * 2 * hidden];
            for (int direction = 0; direction < 2; direction++)
            {
                string suffix = $"_l{layer}{(direction == 1 ? "_reverse" : "")}";
                double[] wih = p($"{name}.weight_ih{suffix}"), whh = p($"{name}.weight_hh{suffix}");
                double[] bih = p($"{name}.bias_ih{suffix}"), bhh = p($"{name}.bias_hh{suffix}");
                for (int n = 0; n < N; n++)
                {
                    var h = new double[hidden];
                    var c = new double[hidden];
                    for (int k = 0; k < steps; k++)
                    {
                        int t = direction == 0 ? k : steps - 1 - k;
                        var gi = Affine(wih, bih, x, (t * N + n) * fin, fin, gates * hidden);
                        var gh = Affine(whh, bhh, h, 0, hidden, gates * hidden);
                        step(gi, gh, h, c, hidden);
                        Array.Copy(h, 0, output, (t * N + n) * 2 * hidden + direction * hidden, hidden);
                    }
                }
            }
            x = output;
            fin = 2 * hidden;
        }
        return x;
    }

    private static void LstmStep(double[] gi, double[] gh, double[] h, double[] c, int hidden)
    {
        for (int j = 0; j < hidden; j++)
        {
            double i = Sigmoid(gi[j] + gh[j]);
            double f = Sigmoid(gi[hidden + j] + gh[hidden + j]);
            double g = Math.Tanh(gi[2 * hidden + j] + gh[2 * hidden + j]);
            double o = Sigmoid(gi[3 * hidden + j] + gh[3 * hidden + j]);
            c[j] = f * c[j] + i * g;
            h[j] = o * Math.Tanh(c[j]);
        }
    }

    private static void GruStep(double[] gi, double[] gh, double[] h, double[] unused, int hidden)
    {
        for (int j = 0; j < hidden; j++)
        {
            double r = Sigmoid(gi[j] + gh[j]);
            double z = Sigmoid(gi[hidden + j] + gh[hidden + j]);
            double n = Math.Tanh(gi[2 * hidden + j] + r * gh[2 * hidden + j]);
            h[j] = (1 - z) * n + z * h[j];
        }
    }

    /// <summary>W·x + b for one vector x starting at <paramref name="offset"/>; W is (rows, columns).</summary>
    private static double[] Affine(double[] weight, double[] bias, double[] x, int offset, int columns, int rows)
    {
        var y = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double sum = bias[r];
            for (int k = 0; k < columns; k++) sum += weight[r * columns + k] * x[offset + k];
            y[r] = sum;
        }
        return y;
    }

    internal static double[] Linear(double[] x, int rows, int fin, double[] weight, double[] bias, int fout)
    {
        var y = new double[rows * fout];
        for (int r = 0; r < rows; r++) Array.Copy(Affine(weight, bias, x, r * fin, fin, fout), 0, y, r * fout, fout);
        return y;
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
}
