using Crnn.MLNet.Model;
using Google.Protobuf;
using Onnx;

namespace Crnn.MLNet.Tests.Support;

/// <summary>
/// Tiny CRNN-contract ONNX models built in memory: Flatten → Gemm (784 → classes, fixed random weights) → Softmax,
/// with both outputs and the metadata JSON. Variants break one thing each for the error tests.
/// </summary>
internal static class TestModels
{
    public static readonly string[] Digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    public static CrnnModelMetadata Metadata(IReadOnlyList<string>? labels = null) => new()
    {
        Labels = labels ?? Digits,
        Dataset = "mnist",
        Input = new CrnnInputSpec(),
        Output = new CrnnOutputSpec(),
        Normalization = new CrnnNormalization { Mean = 0.1307, Std = 0.3081 },
        Preprocessing = new CrnnPreprocessing(),
        Producer = "Crnn.MLNet.Tests",
    };

    public static byte[] Build(
        IReadOnlyList<string>? labels = null,
        long[]? inputShape = null,
        string? metadataJson = null,
        bool withMetadata = true,
        string inputName = "input",
        int seed = 1234)
    {
        labels ??= Digits;
        int classes = labels.Count;
        var rng = new Random(seed);
        var w = new float[784 * classes];
        for (int i = 0; i < w.Length; i++) w[i] = (float)(rng.NextDouble() * 2 - 1) * 0.05f;
        var b = new float[classes];
        for (int i = 0; i < b.Length; i++) b[i] = (float)(rng.NextDouble() - 0.5);

        var graph = new GraphProto { Name = "tiny-crnn" };
        graph.Input.Add(Value(inputName, inputShape ?? [-1, 1, 28, 28]));
        graph.Output.Add(Value("logits", [-1, classes]));
        graph.Output.Add(Value("probabilities", [-1, classes]));
        graph.Initializer.Add(Tensor("W", [784, classes], w));
        graph.Initializer.Add(Tensor("B", [classes], b));
        var flatten = new NodeProto { OpType = "Flatten", Name = "flatten" };
        flatten.Input.Add(inputName);
        flatten.Output.Add("flat");
        flatten.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        var gemm = new NodeProto { OpType = "Gemm", Name = "fc" };
        gemm.Input.Add("flat");
        gemm.Input.Add("W");
        gemm.Input.Add("B");
        gemm.Output.Add("logits");
        var softmax = new NodeProto { OpType = "Softmax", Name = "softmax" };
        softmax.Input.Add("logits");
        softmax.Output.Add("probabilities");
        softmax.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(flatten);
        graph.Node.Add(gemm);
        graph.Node.Add(softmax);

        var model = new ModelProto { IrVersion = 8, ProducerName = "Crnn.MLNet.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        if (withMetadata)
            model.MetadataProps.Add(new StringStringEntryProto { Key = CrnnModelMetadata.MetadataKey, Value = metadataJson ?? Metadata(labels).ToJson() });
        return model.ToByteArray();
    }

    /// <summary>Writes a model into a temporary directory that is deleted with the returned handle.</summary>
    public static string WriteTemp(TempDir dir, byte[] bytes, string name = "model.onnx")
    {
        string path = Path.Combine(dir.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static ValueInfoProto Value(string name, long[] shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        foreach (long d in shape)
            tensor.Shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    private static TensorProto Tensor(string name, long[] dims, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.Add(dims);
        t.FloatData.Add(values);
        return t;
    }
}

/// <summary>A temporary directory removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "crnn-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The real trained model, when it has been committed (models/mnist-crnn.onnx under the repository root).</summary>
internal static class RepoModel
{
    public static string? MnistPath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "models", "mnist-crnn.onnx");
                if (File.Exists(candidate)) return candidate;
                if (File.Exists(Path.Combine(dir.FullName, "Crnn.MLNet.sln"))) return null;
            }
            return null;
        }
    }
}
