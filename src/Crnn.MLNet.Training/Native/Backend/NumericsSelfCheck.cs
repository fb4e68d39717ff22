using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Native.Backend;

/// <summary>
/// Runs <see cref="CheckNetworkSpec"/> through LibTorch in float32, the way training and evaluation do (inference
/// forward without gradients, training forward with batch statistics, backward), and compares with
/// <see cref="ReferenceNetwork"/> in float64: outputs element by element, and each layer's gradients as directional
/// derivatives (the gradient along a random direction against a central difference of the reference).
/// </summary>
internal static class NumericsSelfCheck
{
    /// <summary>Relative to the largest reference value; correct float32 kernels stay near 1e-6, the wrong ones seen were above 1e-2.</summary>
    public const double ForwardTolerance = 1e-4;
    /// <summary>Relative to Σ|gᵢ·vᵢ| of the directional derivative.</summary>
    public const double GradientTolerance = 1e-4;
    private const double Step = 1e-6;

    /// <param name="spec">The network's numbers (a fixed seed by default).</param>
    /// <param name="tamper">Tests only: changes LibTorch's copy of the network after loading, to stand in for a wrong kernel.</param>
    public static NumericsCheckResult Run(CheckNetworkSpec? spec = null, Action<nn.Module>? tamper = null)
    {
        spec ??= new CheckNetworkSpec();
        var clock = Stopwatch.StartNew();
        var items = new List<NumericsCheckItem>();
        try
        {
            RunChecks(spec, tamper, items);
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException)
        {
            items.Add(new NumericsCheckItem("LibTorch", double.NaN, 0, $"threw {e.GetType().Name}: {FirstLine(e.Message)}"));
        }
        return new NumericsCheckResult(items, clock.Elapsed);
    }

    private static void RunChecks(CheckNetworkSpec spec, Action<nn.Module>? tamper, List<NumericsCheckItem> items)
    {
        using var scope = torch.NewDisposeScope();
        using var net = new CheckNetwork();
        net.Load(spec);
        tamper?.Invoke(net);
        double[] P(string name) => spec.Values[name].Select(v => (double)v).ToArray();
        double[] input = spec.Input.Select(v => (double)v).ToArray();
        var x = torch.tensor(spec.Input, [CheckNetworkSpec.Batch, CheckNetworkSpec.InChannels, CheckNetworkSpec.Height, CheckNetworkSpec.Width]);

        // Inference: eval mode (running statistics), no autograd: oneDNN's forward_inference kernels.
        net.eval();
        float[] inference;
        using (torch.no_grad()) inference = net.forward(x).data<float>().ToArray();
        items.Add(CompareForward("inference forward", inference, ReferenceNetwork.Forward(P, input, training: false)));

        // Training: batch statistics and autograd: forward_training and backward kernels.
        net.train();
        var xg = x.detach().clone().requires_grad_(true);
        var output = net.forward(xg);
        items.Add(CompareForward("training forward", output.data<float>().ToArray(), ReferenceNetwork.Forward(P, input, training: true)));
        var weights = torch.tensor(spec.OutputWeights, output.shape);
        (output * weights).sum().backward();

        items.Add(CompareDirectional("input gradient", Dot(xg.grad!, spec.InputDirection), AbsDot(xg.grad!, spec.InputDirection),
            sign => ReferenceLoss(spec, P, Shift(input, spec.InputDirection, sign * Step))));
        var grads = net.NamedGradients();
        foreach (var (group, prefix) in CheckNetworkSpec.Groups)
        {
            var names = CheckNetworkSpec.Parameters.Select(p => p.Name)
                .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && CheckNetworkSpec.IsTrainable(n)).ToList();
            double dot = 0, abs = 0;
            foreach (string name in names)
            {
                dot += Dot(grads[name], spec.Directions[name]);
                abs += AbsDot(grads[name], spec.Directions[name]);
            }
            items.Add(CompareDirectional($"{group} gradient", dot, abs, sign => ReferenceLoss(spec,
                name => names.Contains(name) ? Shift(P(name), spec.Directions[name], sign * Step) : P(name), input)));
        }
    }

    private static double ReferenceLoss(CheckNetworkSpec spec, Func<string, double[]> p, double[] input)
    {
        var y = ReferenceNetwork.Forward(p, input, training: true);
        double loss = 0;
        for (int i = 0; i < y.Length; i++) loss += y[i] * spec.OutputWeights[i];
        return loss;
    }

    private static NumericsCheckItem CompareForward(string name, float[] actual, double[] expected)
    {
        if (actual.Length != expected.Length)
            return new NumericsCheckItem(name, double.NaN, ForwardTolerance, $"{actual.Length} values, expected {expected.Length}");
        double scale = Math.Max(1e-6, expected.Max(Math.Abs)), worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = Math.Abs(actual[i] - expected[i]);
            worst = double.IsFinite(actual[i]) ? Math.Max(worst, d / scale) : double.PositiveInfinity;
        }
        return new NumericsCheckItem(name, worst, ForwardTolerance);
    }

    private static NumericsCheckItem CompareDirectional(string name, double dot, double abs, Func<int, double> referenceLoss)
    {
        double numeric = (referenceLoss(+1) - referenceLoss(-1)) / (2 * Step);
        double error = Math.Abs(dot - numeric) / Math.Max(abs, 1e-12);
        return new NumericsCheckItem(name, double.IsFinite(error) ? error : double.PositiveInfinity, GradientTolerance);
    }

    private static double Dot(Tensor grad, float[] direction)
    {
        float[] g = grad.data<float>().ToArray();
        double sum = 0;
        for (int i = 0; i < g.Length; i++) sum += (double)g[i] * direction[i];
        return sum;
    }

    private static double AbsDot(Tensor grad, float[] direction)
    {
        float[] g = grad.data<float>().ToArray();
        double sum = 0;
        for (int i = 0; i < g.Length; i++) sum += Math.Abs((double)g[i] * direction[i]);
        return sum;
    }

    private static double[] Shift(double[] values, float[] direction, double by)
    {
        var shifted = new double[values.Length];
        for (int i = 0; i < values.Length; i++) shifted[i] = values[i] + by * direction[i];
        return shifted;
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
