using Crnn.MLNet.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Tests.Native;

public class TorchRuntimeTests
{
    public TorchRuntimeTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void ConvBiLstmGradientsMatchFiniteDifferences()
    {
        torch.manual_seed(7);
        using var scope = torch.NewDisposeScope();
        // Double precision so central differences are accurate enough to compare.
        var conv = nn.Conv2d(1, 3, 3, padding: 1).to(float64);
        var lstm = nn.LSTM(3 * 4, 5, bidirectional: true, batchFirst: true).to(float64);
        var head = nn.Linear(10, 2).to(float64);
        var x = torch.randn(2, 1, 4, 6, dtype: float64);

        Tensor Loss()
        {
            var f = nn.functional.relu(conv.forward(x));              // N, 3, 4, 6
            var seq = f.permute(0, 3, 1, 2).reshape(2, 6, 12);         // N, T=width, C*H
            var (o, _, _) = lstm.forward(seq);
            return head.forward(o[.., -1, ..]).pow(2).sum();
        }

        var loss = Loss();
        loss.backward();

        var checkedParams = new (string Name, Tensor P)[]
        {
            ("conv.weight", conv.weight!), ("lstm.weight_ih_l0", lstm.get_parameter("weight_ih_l0")!),
            ("lstm.weight_hh_l0_reverse", lstm.get_parameter("weight_hh_l0_reverse")!), ("head.bias", head.bias!),
        };
        const double eps = 1e-6;
        foreach (var (name, p) in checkedParams)
        {
            var flat = p.view(-1);
            var grad = p.grad!.view(-1);
            foreach (long i in new long[] { 0, flat.shape[0] / 2, flat.shape[0] - 1 })
            {
                double original = flat[i].item<double>();
                double plus, minus;
                using (torch.no_grad())
                {
                    flat[i] = original + eps; plus = Loss().item<double>();
                    flat[i] = original - eps; minus = Loss().item<double>();
                    flat[i] = original;
                }
                double numeric = (plus - minus) / (2 * eps);
                double analytic = grad[i].item<double>();
                Assert.True(Math.Abs(numeric - analytic) <= 1e-5 * Math.Max(1, Math.Abs(numeric)),
                    $"{name}[{i}]: analytic {analytic}, numeric {numeric}");
            }
        }
        Assert.True(loss.item<double>() > 0);
    }

    [Fact]
    public void PatchLeavesLibrariesThatNeedNothingUntouched()
    {
        // A library whose libstdc++ requirements are all met must not be rewritten.
        string? stdcxx = TorchRuntime.FindLibStdCxx();
        Assert.NotNull(stdcxx);
        string copy = Path.Combine(Path.GetTempPath(), $"crnn-elf-{Guid.NewGuid():N}.so");
        File.Copy(stdcxx!, copy);
        try
        {
            var before = File.GetLastWriteTimeUtc(copy);
            Assert.False(TorchRuntime.PatchIfNeeded(copy, stdcxx));
            Assert.Equal(before, File.GetLastWriteTimeUtc(copy));
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public void LoadedNativeLibraryHasNoUnmetStrongLibStdCxxRequirement()
    {
        string? stdcxx = TorchRuntime.FindLibStdCxx();
        string path = TorchRuntime.CandidateNativePaths().First();
        var reqs = ElfVersionNeeds.Read(File.ReadAllBytes(path), path);
        Assert.Contains(reqs, r => r.File.StartsWith("libstdc++"));
        // After EnsureInitialized, a second pass finds nothing left to patch.
        Assert.False(TorchRuntime.PatchIfNeeded(path, stdcxx));
    }

    [Fact]
    public void LibTorch_is_seen_as_loaded_once_initialized()
    {
        // The backend check relies on this to know whether oneDNN may already have fixed its instruction set.
        if (!OperatingSystem.IsLinux()) return;
        TorchSharp.torch.zeros(1).Dispose();
        Assert.True(TorchRuntime.IsLibTorchLoaded());
    }
}
