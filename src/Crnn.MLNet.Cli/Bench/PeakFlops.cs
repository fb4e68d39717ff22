using System.Diagnostics;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>
/// The machine's attainable fp32 FLOP/s: a square MatMul graph built in memory and run by ONNX Runtime (MLAS's SGEMM,
/// the same kernels the model's convolutions use), with the session's default threads. Reports the fastest run.
/// </summary>
internal static class PeakFlops
{
    public static (double FlopsPerSecond, int Size) Measure(int size = 2048, int runs = 8)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(MatMulModel(), options);
        var rng = new Random(7);
        var a = new float[size * size];
        var b = new float[size * size];
        for (int i = 0; i < a.Length; i++) { a[i] = (float)rng.NextDouble(); b[i] = (float)rng.NextDouble(); }
        var c = new float[size * size];
        long[] shape = [size, size];
        using var va = OrtValue.CreateTensorValueFromMemory(a, shape);
        using var vb = OrtValue.CreateTensorValueFromMemory(b, shape);
        using var vc = OrtValue.CreateTensorValueFromMemory(c, shape);
        using var runOptions = new RunOptions();
        string[] inputs = ["A", "B"], outputs = ["C"];
        double best = double.MaxValue;
        for (int i = 0; i < runs + 2; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            session.Run(runOptions, inputs, [va, vb], outputs, [vc]);
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (i >= 2) best = Math.Min(best, s); // the first runs warm up threads and caches
        }
        return (2.0 * size * size * size / best, size);
    }

    /// <summary>C = A x B with A, B of shape [M, K], [K, N], all dimensions symbolic.</summary>
    private static byte[] MatMulModel()
    {
        var graph = new GraphProto { Name = "peak-flops" };
        graph.Input.Add(Value("A", "M", "K"));
        graph.Input.Add(Value("B", "K", "N"));
        graph.Output.Add(Value("C", "M", "N"));
        var node = new NodeProto { OpType = "MatMul", Name = "matmul" };
        node.Input.Add("A");
        node.Input.Add("B");
        node.Output.Add("C");
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = 8, ProducerName = "crnn bench", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    private static ValueInfoProto Value(string name, string rows, string columns)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = rows });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = columns });
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape };
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
