namespace Crnn.MLNet.Hosting.Tests;

/// <summary>A server that only scores must not download LibTorch either.</summary>
public class DependencyTests
{
    [Fact]
    public void The_hosting_library_brings_no_TorchSharp()
    {
        var references = typeof(CrnnEndpointRouteBuilderExtensions).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("Crnn.MLNet", references);
        Assert.DoesNotContain(references, r => r.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase) || r == "Crnn.MLNet.Training");
        string deps = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Crnn.MLNet.Hosting.Tests.deps.json"));
        Assert.DoesNotContain("TorchSharp", deps, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("libtorch", deps, StringComparison.OrdinalIgnoreCase);
    }
}
