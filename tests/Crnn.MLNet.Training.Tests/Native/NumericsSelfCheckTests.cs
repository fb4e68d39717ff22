using Crnn.MLNet.Training.Native;
using Crnn.MLNet.Training.Native.Backend;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Tests.Native;

public class NumericsSelfCheckTests(ITestOutputHelper output)
{
    private static readonly CheckNetworkSpec Spec = new();

    private static double[] Reference(bool training) =>
        ReferenceNetwork.Forward(name => Spec.Values[name].Select(v => (double)v).ToArray(), Spec.Input.Select(v => (double)v).ToArray(), training);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_managed_reference_computes_what_libtorch_computes_in_float64(bool training)
    {
        // LibTorch runs float64 on ATen's own kernels (oneDNN has no float64), so this checks the reference itself.
        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        using var net = new CheckNetwork();
        net.Load(Spec);
        net.to(float64);
        if (training) net.train(); else net.eval();
        var x = torch.tensor(Spec.Input, [CheckNetworkSpec.Batch, CheckNetworkSpec.InChannels, CheckNetworkSpec.Height, CheckNetworkSpec.Width]).to(float64);
        double[] expected;
        using (torch.no_grad()) expected = net.forward(x).data<double>().ToArray();
        double[] actual = Reference(training);
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(CheckNetworkSpec.Steps * CheckNetworkSpec.Batch * CheckNetworkSpec.Classes, actual.Length);
        double worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        output.WriteLine($"training={training}: max |reference - LibTorch float64| = {worst:E2}, max |y| = {expected.Max(Math.Abs):F3}");
        Assert.True(worst < 1e-10, $"reference differs from LibTorch float64 by {worst:E2}");
        Assert.True(expected.Max(Math.Abs) > 0.1, "outputs too small to compare meaningfully");
    }

    [Fact]
    public void The_setting_this_process_runs_with_passes_the_check()
    {
        TorchRuntime.EnsureInitialized();
        var status = TorchRuntime.Backend!;
        output.WriteLine($"{status.Setting.Name} on {status.Cpu}: {status.Check.Summary}");
        Assert.True(status.Check.Passed, status.Check.Summary);

        var again = NumericsSelfCheck.Run();
        foreach (var item in again.Items) output.WriteLine($"  {item.Name,-22} {item.Error:E2} (tolerance {item.Tolerance:E0})");
        Assert.True(again.Passed, again.Summary);
        Assert.Equal(2 + 1 + CheckNetworkSpec.Groups.Count, again.Items.Count);
    }

    [Theory]
    [InlineData("conv2.weight", "conv 16→24 gradient")]   // batch norm hides a weight scale in the forward pass, not in the gradient
    [InlineData("lstm.weight_hh_l1_reverse", "inference forward")]
    [InlineData("gru.bias_hh_l0", "training forward")]
    public void A_kernel_that_is_slightly_wrong_is_caught(string parameter, string expectedFailure)
    {
        // Stands in for a wrong kernel: LibTorch's copy of one parameter is off by 1%, the reference's is not.
        TorchRuntime.EnsureInitialized();
        var result = NumericsSelfCheck.Run(tamper: net =>
        {
            using var _ = torch.no_grad();
            net.get_parameter(parameter)!.mul_(1.01);
        });
        output.WriteLine(result.Summary);
        Assert.False(result.Passed);
        Assert.Contains(result.Failures, f => f.Name == expectedFailure);
        Assert.StartsWith("failed: ", result.Summary);
    }

    [Fact]
    public void An_exception_inside_libtorch_is_a_failed_check_not_a_crash()
    {
        TorchRuntime.EnsureInitialized();
        var result = NumericsSelfCheck.Run(tamper: _ => throw new InvalidOperationException("simulated native error"));
        Assert.False(result.Passed);
        Assert.Contains("simulated native error", result.Summary);
    }
}
