using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Export;
using Crnn.MLNet.Training.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Tests.Export;

/// <summary>Small CRNN models with non-trivial weights and batch-norm statistics, for export tests.</summary>
public static class TestModels
{
    public static readonly string[] Digits = Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray();

    /// <summary>Architectures under test, by name.</summary>
    public static CrnnArchitecture Architecture(string name) => name switch
    {
        // The default architecture: conv 32-64-128 x2, BiLSTM 128.
        "lstm" => new CrnnArchitecture(10),
        "gru" => new CrnnArchitecture(10, widths: [16, 32, 64], recurrent: RecurrentKind.Gru, recurrentHidden: 64),
        "lstm-2layer" => new CrnnArchitecture(10, widths: [16, 32, 64], convsPerBlock: 1, recurrentHidden: 48, recurrentLayers: 2),
        // Two blocks only (both pool 2x2: 7 columns of 16x7 features), three stacked GRU layers.
        "gru-3layer" => new CrnnArchitecture(10, widths: [8, 16], convsPerBlock: 1, recurrent: RecurrentKind.Gru, recurrentHidden: 32, recurrentLayers: 3),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown test architecture"),
    };

    public static CrnnModelMetadata Metadata(CrnnArchitecture arch, IReadOnlyList<string>? labels = null) =>
        CrnnMetadataFactory.Create(arch, labels ?? Enumerable.Range(0, arch.ClassCount).Select(i => i < 10 ? i.ToString() : ((char)('a' + i - 10)).ToString()).ToArray(),
            "mnist", MnistTestImages.Mean, MnistTestImages.Std);

    /// <summary>A freshly initialised model (deterministic for a seed).</summary>
    public static CrnnClassifier Untrained(CrnnArchitecture arch, int seed = 1)
    {
        torch.manual_seed(seed);
        var model = new CrnnClassifier(arch);
        model.eval();
        return model;
    }

    /// <summary>
    /// A model after <paramref name="steps"/> Adam steps (batch 16, lr 2e-3) on MNIST test images from
    /// index 2000 on (the parity tests compare on images 0..999), left in training mode.
    /// </summary>
    public static CrnnClassifier Trained(CrnnArchitecture arch, CharacterDataset data, int steps, int seed = 1)
    {
        var model = Untrained(arch, seed);
        model.train();
        using var optimizer = torch.optim.Adam(model.parameters(), lr: 2e-3);
        const int batch = 16;
        for (int step = 0; step < steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            int start = 2000 + step * batch;
            var x = MnistTestImages.Batch(data, start, batch);
            var y = torch.tensor(data.Labels.AsSpan(start, batch).ToArray().Select(l => (long)l).ToArray());
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            loss.backward();
            optimizer.step();
        }
        return model;
    }

    /// <summary>Sets every batch norm's running statistics and affine parameters to random values.</summary>
    public static void RandomiseBatchNorm(CrnnClassifier model, int seed)
    {
        torch.manual_seed(seed);
        using var noGrad = torch.no_grad();
        foreach (var block in model.Blocks)
        {
            foreach (var norm in block.Norms)
            {
                long c = norm.running_mean!.shape[0];
                norm.running_mean.copy_(torch.randn(c) * 0.5);
                norm.running_var!.copy_(torch.rand(c) * 2 + 0.25);
                norm.weight.copy_(torch.rand(c) + 0.5);
                norm.bias!.copy_(torch.randn(c) * 0.3);
            }
        }
    }

    /// <summary>Eval-mode TorchSharp outputs (logits and softmax) for images [0, count); restores the model's mode.</summary>
    public static (float[] Logits, float[] Probabilities) Reference(CrnnClassifier model, CharacterDataset data, int count)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            var logits = new List<float>();
            var probabilities = new List<float>();
            using var noGrad = torch.no_grad();
            for (int start = 0; start < count; start += 250)
            {
                using var scope = torch.NewDisposeScope();
                int n = Math.Min(250, count - start);
                var z = model.forward(MnistTestImages.Batch(data, start, n));
                logits.AddRange(z.data<float>().ToArray());
                probabilities.AddRange(nn.functional.softmax(z, 1).data<float>().ToArray());
            }
            return (logits.ToArray(), probabilities.ToArray());
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
