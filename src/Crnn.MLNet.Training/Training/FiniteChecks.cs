using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Training;

/// <summary>
/// The checks the trainers make to stop at the first NaN or infinity. Each costs one scalar read from LibTorch
/// when all is well.
/// </summary>
internal static class FiniteChecks
{
    /// <summary>
    /// The total L2 norm of the parameters' gradients (NaN or infinite when any gradient is), clipping them to
    /// <paramref name="clipNorm"/> when it is positive: clipping computes that norm anyway, so it is reused.
    /// </summary>
    public static double GradientNorm(IEnumerable<Parameter> parameters, double clipNorm)
    {
        if (clipNorm > 0) return nn.utils.clip_grad_norm_(parameters, clipNorm);
        using var scope = NewDisposeScope();
        var norms = parameters.Select(p => p.grad).OfType<Tensor>().Select(g => linalg.vector_norm(g)).ToArray();
        return norms.Length == 0 ? 0 : linalg.vector_norm(stack(norms)).item<float>();
    }

    /// <summary>
    /// The first weight or buffer of <paramref name="model"/> holding a NaN or an infinity (its name and such a value),
    /// or null when all are finite. Buffers count: batch-norm statistics can overflow while the weights are finite.
    /// </summary>
    public static (string Name, double Value)? FirstNonFiniteWeight(nn.Module model)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var tensors = model.state_dict().Where(kv => kv.Value.is_floating_point()).ToArray();
        if (tensors.Length == 0 || stack(tensors.Select(kv => kv.Value.isfinite().all()).ToArray()).all().item<bool>())
            return null;
        foreach (var (name, tensor) in tensors)
        {
            if (tensor.isnan().any().item<bool>()) return (name, double.NaN);
            if (tensor.isinf().any().item<bool>()) return (name, double.PositiveInfinity);
        }
        return null;
    }
}
