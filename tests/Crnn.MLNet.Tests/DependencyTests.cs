using Crnn.MLNet.Recognition;

namespace Crnn.MLNet.Tests;

/// <summary>Users who only score must not download LibTorch: the inference library never references TorchSharp.</summary>
public class DependencyTests
{
    [Fact]
    public void The_inference_library_references_no_TorchSharp_and_no_training_code()
    {
        var references = typeof(CrnnRecognizer).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("Microsoft.ML.OnnxRuntime", references);   // the check reads real references
        Assert.DoesNotContain(references, r => r.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(references, r => r.StartsWith("Crnn.MLNet.Training", StringComparison.Ordinal));

        // Nor does anything it loads: the test's own dependency manifest lists what a user of the package gets.
        string deps = Path.Combine(AppContext.BaseDirectory, "Crnn.MLNet.Tests.deps.json");
        Assert.True(File.Exists(deps), deps);
        Assert.DoesNotContain("libtorch", File.ReadAllText(deps), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("TorchSharp", File.ReadAllText(deps), StringComparison.OrdinalIgnoreCase);
    }
}
