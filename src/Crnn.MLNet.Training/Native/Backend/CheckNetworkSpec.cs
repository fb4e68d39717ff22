namespace Crnn.MLNet.Training.Native.Backend;

/// <summary>
/// The fixed tiny CRNN the backend check runs: conv 4→16 + batch norm + ReLU + 2x2 max-pool, conv 16→24 + batch norm
/// + ReLU + 2x1 max-pool, the feature map's columns through a 2-layer bidirectional LSTM (hidden 12) and a 2-layer
/// bidirectional GRU (hidden 12), and a linear layer at every step. Its sizes are chosen to reach the kernels that
/// were seen wrong: channel counts that are and are not multiples of 16 (oneDNN pads them into 16-wide blocks) and
/// a recurrent size that is not a multiple of 32. Weights and inputs come from a fixed seed, rounded to float32, so
/// the float64 reference and LibTorch see the same numbers.
/// </summary>
internal sealed class CheckNetworkSpec
{
    public const int Batch = 2, InChannels = 4, Height = 8, Width = 8;
    public const int Conv1 = 16, Conv2 = 24;
    public const int Steps = Width / 2;                    // 8 → pool 2 → 4 → pool (2,1) → 4 columns
    public const int FeatureHeight = Height / 4;           // 8 → 4 → 2
    public const int SequenceFeatures = Conv2 * FeatureHeight;
    public const int Hidden = 12, Layers = 2, Classes = 5;
    public const double BatchNormEps = 1e-5;

    /// <summary>Parameters by name (the names TorchSharp gives them, prefixed by the module) with their shapes.</summary>
    public static readonly IReadOnlyList<(string Name, long[] Shape, double Scale)> Parameters = BuildParameterList();

    /// <summary>Gradient groups checked separately, so a failure says which layer's backward is wrong.</summary>
    public static readonly IReadOnlyList<(string Group, string Prefix)> Groups =
    [
        ("conv 4→16", "conv1."), ("conv 16→24", "conv2."), ("batch norm", "bn"), ("LSTM", "lstm."), ("GRU", "gru."), ("linear", "head."),
    ];

    public CheckNetworkSpec(ulong seed = 20261202)
    {
        var random = new SplitMix64(seed);
        foreach (var (name, shape, scale) in Parameters)
            Values[name] = random.Floats(Count(shape), scale, offset: name.EndsWith("running_var", StringComparison.Ordinal) || name is "bn1.weight" or "bn2.weight" ? 1 : 0);
        Input = random.Floats(Batch * InChannels * Height * Width, 1);
        OutputWeights = random.Floats(Steps * Batch * Classes, 1);
        InputDirection = random.Floats(Input.Length, 1);
        foreach (var (name, shape, _) in Parameters) Directions[name] = random.Floats(Count(shape), 1);
    }

    /// <summary>Parameter and running-statistics values, float32-exact.</summary>
    public Dictionary<string, float[]> Values { get; } = new(StringComparer.Ordinal);
    /// <summary>Random directions for the directional-derivative check of each parameter.</summary>
    public Dictionary<string, float[]> Directions { get; } = new(StringComparer.Ordinal);
    public float[] Input { get; }
    public float[] InputDirection { get; }
    /// <summary>The check's loss is Σ output ⊙ these weights, so its gradient reaches every output.</summary>
    public float[] OutputWeights { get; }

    public static bool IsTrainable(string name) => !name.Contains("running_", StringComparison.Ordinal);

    public static int Count(long[] shape) => (int)shape.Aggregate(1L, (a, b) => a * b);

    private static List<(string, long[], double)> BuildParameterList()
    {
        var list = new List<(string, long[], double)>
        {
            ("conv1.weight", [Conv1, InChannels, 3, 3], 0.3), ("conv1.bias", [Conv1], 0.1),
            ("bn1.weight", [Conv1], 0.5), ("bn1.bias", [Conv1], 0.2), ("bn1.running_mean", [Conv1], 0.3), ("bn1.running_var", [Conv1], 0.5),
            ("conv2.weight", [Conv2, Conv1, 3, 3], 0.15), ("conv2.bias", [Conv2], 0.1),
            ("bn2.weight", [Conv2], 0.5), ("bn2.bias", [Conv2], 0.2), ("bn2.running_mean", [Conv2], 0.3), ("bn2.running_var", [Conv2], 0.5),
        };
        foreach (var (module, gates, input) in new[] { ("lstm", 4, SequenceFeatures), ("gru", 3, 2 * Hidden) })
            for (int layer = 0; layer < Layers; layer++)
                foreach (string dir in new[] { "", "_reverse" })
                {
                    int fin = layer == 0 ? input : 2 * Hidden;
                    list.Add(($"{module}.weight_ih_l{layer}{dir}", [gates * Hidden, fin], 0.3));
                    list.Add(($"{module}.weight_hh_l{layer}{dir}", [gates * Hidden, Hidden], 0.3));
                    list.Add(($"{module}.bias_ih_l{layer}{dir}", [gates * Hidden], 0.2));
                    list.Add(($"{module}.bias_hh_l{layer}{dir}", [gates * Hidden], 0.2));
                }
        list.Add(("head.weight", [Classes, 2 * Hidden], 0.3));
        list.Add(("head.bias", [Classes], 0.1));
        return list;
    }

    /// <summary>A small, fixed pseudo-random generator (SplitMix64), so the check's numbers never depend on a library's RNG.</summary>
    private sealed class SplitMix64(ulong state)
    {
        private ulong _state = state;

        private double NextUnit()   // uniform in [-1, 1)
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (2.0 / (1UL << 53)) - 1.0;
        }

        public float[] Floats(int count, double scale, double offset = 0)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = (float)(offset + scale * NextUnit());
            return values;
        }
    }
}
