using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Optimization;

/// <summary>
/// TorchSharp's <see cref="TorchSharp.Modules.Adam"/> (same state, same numbers) with a step that keeps its Scalars
/// alive during the native calls; see <see cref="AdamStep"/> for the crash this avoids.
/// </summary>
/// <remarks>
/// Named like TorchSharp's class on purpose: TorchSharp writes the optimizer's short type name into the saved state
/// and refuses another on load, so this name keeps checkpoints written before and after it interchangeable.
/// </remarks>
internal sealed class Adam : TorchSharp.Modules.Adam
{
    public Adam(IEnumerable<TorchSharp.Modules.Parameter> parameters, double learningRate, double weightDecay)
        : base(parameters, learningRate, weight_decay: weightDecay)
    {
    }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        AdamStep.ApplyToGroup(group.Parameters, NextStep, o.LearningRate!.Value, o.beta1!.Value, o.beta2!.Value, o.eps!.Value,
            coupledWeightDecay: o.weight_decay!.Value, decoupledWeightDecay: 0, o.amsgrad == true, o.maximize == true);
    }, closure);

    private (Tensor, Tensor, long) NextStep(TorchSharp.Modules.Parameter parameter)
    {
        var state = (State)_state[parameter.Handle];
        state.step++;
        return (state.exp_avg, state.exp_avg_sq, state.step);
    }
}
