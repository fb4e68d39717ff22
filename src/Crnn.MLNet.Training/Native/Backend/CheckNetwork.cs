using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Native.Backend;

/// <summary>The check network as TorchSharp modules, in the order <see cref="ReferenceNetwork"/> computes it.</summary>
internal sealed class CheckNetwork : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(CheckNetworkSpec.InChannels, CheckNetworkSpec.Conv1, 3, padding: 1);
    private readonly BatchNorm2d bn1 = nn.BatchNorm2d(CheckNetworkSpec.Conv1, eps: CheckNetworkSpec.BatchNormEps);
    private readonly Conv2d conv2 = nn.Conv2d(CheckNetworkSpec.Conv1, CheckNetworkSpec.Conv2, 3, padding: 1);
    private readonly BatchNorm2d bn2 = nn.BatchNorm2d(CheckNetworkSpec.Conv2, eps: CheckNetworkSpec.BatchNormEps);
    private readonly LSTM lstm = nn.LSTM(CheckNetworkSpec.SequenceFeatures, CheckNetworkSpec.Hidden, CheckNetworkSpec.Layers, bidirectional: true);
    private readonly GRU gru = nn.GRU(2 * CheckNetworkSpec.Hidden, CheckNetworkSpec.Hidden, CheckNetworkSpec.Layers, bidirectional: true);
    private readonly Linear head = nn.Linear(2 * CheckNetworkSpec.Hidden, CheckNetworkSpec.Classes);

    public CheckNetwork() : base(nameof(CheckNetwork)) => RegisterComponents();

    public override Tensor forward(Tensor x)
    {
        var y = nn.functional.max_pool2d(nn.functional.relu(bn1.forward(conv1.forward(x))), 2);
        y = nn.functional.max_pool2d(nn.functional.relu(bn2.forward(conv2.forward(y))), [2, 1]);
        long n = y.shape[0], features = y.shape[1] * y.shape[2], steps = y.shape[3];
        var sequence = y.permute(3, 0, 1, 2).reshape(steps, n, features);
        var (recurrent, _, _) = lstm.forward(sequence);
        var (gated, _) = gru.forward(recurrent);
        return head.forward(gated);
    }

    /// <summary>Copies the spec's values into the parameters and running statistics, by name.</summary>
    public void Load(CheckNetworkSpec spec)
    {
        var targets = named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(named_buffers().Select(b => (b.name, b.buffer)))
            .ToDictionary(t => t.Item1, t => t.Item2, StringComparer.Ordinal);
        using var _ = torch.no_grad();
        foreach (var (name, shape, _) in CheckNetworkSpec.Parameters)
        {
            if (!targets.TryGetValue(name, out var target))
                throw new InvalidOperationException($"backend check: the network has no parameter {name}");
            target.copy_(torch.tensor(spec.Values[name], shape));
        }
    }

    public Dictionary<string, Tensor> NamedGradients() =>
        named_parameters().ToDictionary(p => p.name, p => p.parameter.grad ?? torch.zeros_like(p.parameter), StringComparer.Ordinal);
}
