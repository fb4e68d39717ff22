using TorchSharp;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Optimization;

/// <summary>
/// One Adam update of one parameter, in the order of operations TorchSharp's own <c>Adam</c>/<c>AdamW</c> use (so the
/// numbers are identical), but with every <see cref="Scalar"/> owned here and disposed only after its native call
/// returned.
/// </summary>
/// <remarks>
/// TorchSharp turns doubles into temporary <see cref="Scalar"/>s and hands their native handles to LibTorch without
/// keeping the managed object alive. A garbage collection started by another thread during the call can finalise the
/// Scalar and free it while LibTorch reads it: LibTorch then fails with "Expected false to be true ... toFloat"
/// (seen in CI, in a notebook's training cell) or, worse, reads a wrong number. A <c>using</c> variable stays
/// reachable until its scope ends, which closes that window.
/// </remarks>
internal static class AdamStep
{
    /// <summary>Per parameter: counts the step in its state and returns its moments and the new step number.</summary>
    public delegate (Tensor ExpAvg, Tensor ExpAvgSq, long Step) NextStep(TorchSharp.Modules.Parameter parameter);

    /// <summary>Updates every parameter of a group that has a gradient (Adam's and AdamW's common loop).</summary>
    public static void ApplyToGroup(IEnumerable<TorchSharp.Modules.Parameter> parameters, NextStep nextStep, double learningRate,
        double beta1, double beta2, double eps, double coupledWeightDecay, double decoupledWeightDecay, bool amsgrad, bool maximize)
    {
        if (amsgrad || maximize) throw new NotSupportedException("this Adam does not implement amsgrad or maximize.");
        foreach (var parameter in parameters)
        {
            var gradient = parameter.grad;
            if (gradient is null) continue;
            var (expAvg, expAvgSq, step) = nextStep(parameter);
            Apply(parameter, gradient, expAvg, expAvgSq, step, learningRate, beta1, beta2, eps, coupledWeightDecay, decoupledWeightDecay);
        }
    }

    /// <summary>Applies the update to <paramref name="parameter"/> in place (no gradient is recorded).</summary>
    /// <param name="coupledWeightDecay">Adam's L2 term added to the gradient; 0 for none.</param>
    /// <param name="decoupledWeightDecay">AdamW's shrinking of the weights by lr·decay; 0 for none.</param>
    public static void Apply(Tensor parameter, Tensor gradient, Tensor expAvg, Tensor expAvgSq, long step,
        double learningRate, double beta1, double beta2, double eps, double coupledWeightDecay, double decoupledWeightDecay)
    {
        if (decoupledWeightDecay != 0)
        {
            using var shrink = (1.0 - learningRate * decoupledWeightDecay).ToScalar();
            parameter.mul_(shrink);
        }
        double biasCorrection1 = 1.0 - Math.Pow(beta1, step);
        double biasCorrection2 = 1.0 - Math.Pow(beta2, step);
        if (coupledWeightDecay != 0)
        {
            using var decay = coupledWeightDecay.ToScalar();
            gradient = gradient.add(parameter, decay);
        }
        using (var b1 = beta1.ToScalar())
        using (var oneMinusB1 = (1.0 - beta1).ToScalar())
            expAvg.mul_(b1).add_(gradient, oneMinusB1);
        using (var b2 = beta2.ToScalar())
        using (var oneMinusB2 = (1.0 - beta2).ToScalar())
            expAvgSq.mul_(b2).addcmul_(gradient, gradient, oneMinusB2);
        using var sqrtCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
        using var epsilon = eps.ToScalar();
        using var one = 1.ToScalar(); // add_(Scalar) would make its own alpha of 1, unprotected
        using var negativeStepSize = (-(learningRate / biasCorrection1)).ToScalar();
        using var denominator = expAvgSq.sqrt().div_(sqrtCorrection2).add_(epsilon, one);
        parameter.addcdiv_(expAvg, denominator, negativeStepSize);
    }
}
