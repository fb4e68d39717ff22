using System.Reflection;
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

    /// <summary>
    /// The layers depend one way: Recognition (the standalone recognisers) may use Transforms, Decoding, Model and
    /// Imaging; nothing below uses Recognition. Checked on every signature, field and base type of every type (nested and
    /// private ones included); method bodies are not read.
    /// </summary>
    [Fact]
    public void Nothing_below_the_recognisers_depends_on_their_namespace()
    {
        const string recognition = "Crnn.MLNet.Recognition";
        var assembly = typeof(CrnnRecognizer).Assembly;
        var lower = assembly.GetTypes().Where(t => t.Namespace is { } ns && ns.StartsWith("Crnn.MLNet.", StringComparison.Ordinal) && ns != recognition).ToArray();
        Assert.Contains(lower, t => t.Namespace == "Crnn.MLNet.Transforms");
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var offenders = new List<string>();
        foreach (var type in lower)
        {
            var used = new List<Type?> { type.BaseType };
            used.AddRange(type.GetInterfaces());
            used.AddRange(type.GetFields(all).Select(f => f.FieldType));
            used.AddRange(type.GetProperties(all).Select(p => p.PropertyType));
            foreach (var m in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                if (m is MethodInfo mi) used.Add(mi.ReturnType);
                used.AddRange(m.GetParameters().Select(p => p.ParameterType));
            }
            foreach (var u in used.OfType<Type>().SelectMany(Expand).Where(u => u.Namespace == recognition).Distinct())
                offenders.Add($"{type.FullName} uses {u.FullName}");
        }
        Assert.Empty(offenders);
    }

    private static IEnumerable<Type> Expand(Type t)
    {
        if (t.HasElementType) return Expand(t.GetElementType()!);
        return t.IsGenericType ? t.GetGenericArguments().SelectMany(Expand).Prepend(t) : [t];
    }
}
