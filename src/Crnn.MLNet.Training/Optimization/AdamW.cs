using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Optimization;

/// <summary>
/// TorchSharp's <see cref="TorchSharp.Modules.AdamW"/> (same state, same numbers) with a step that keeps its Scalars
/// alive during the native calls; see <see cref="AdamStep"/> for the crash this avoids.
/// </summary>
/// <remarks>
/// Named like TorchSharp's class on purpose: TorchSharp writes the optimizer's short type name into the saved state
/// and refuses another on load, so this name keeps checkpoints written before and after it interchangeable.
/// </remarks>
internal sealed class AdamW : TorchSharp.Modules.AdamW
{
    public AdamW(IEnumerable<TorchSharp.Modules.Parameter> parameters, double learningRate, double weightDecay)
        : base(parameters, learningRate, weight_decay: weightDecay)
    {
    }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        if (options.amsgrad == true || options.maximize == true)
            throw new NotSupportedException("This AdamW does not implement amsgrad or maximize.");
        foreach (var parameter in group.Parameters)
        {
            var gradient = parameter.grad;
            if (gradient is null) continue;
            var state = (State)_state[parameter.Handle];
            state.step++;
            AdamStep.Apply(parameter, gradient, state.exp_avg, state.exp_avg_sq, state.step, options.LearningRate!.Value,
                options.beta1!.Value, options.beta2!.Value, options.eps!.Value, coupledWeightDecay: 0,
                decoupledWeightDecay: options.weight_decay!.Value);
        }
    }, closure);
}
