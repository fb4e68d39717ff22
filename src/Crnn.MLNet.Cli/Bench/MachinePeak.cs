using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>
/// The machine's arithmetic peak, measured: every logical core runs independent chains of vector instructions with no
/// memory traffic, long enough to hide their latency. fp32: fused multiply-adds (512-bit where the CPU has AVX-512,
/// else 256-bit FMA). int8: u8 x s8 dot products into int32, the widest form .NET can issue here (AVX-VNNI's vpdpbusd,
/// or AVX-512BW/AVX2 vpmaddubsw + vpmaddwd + vpaddd as CPUs without VNNI do it), and ONNX Runtime's int8 GEMM on
/// cache-sized matrices (its kernels use 512-bit VNNI, which .NET cannot issue); the fastest is the peak.
/// A model's throughput as a share of this says how much of the machine it uses.
/// </summary>
internal static class MachinePeak
{
    /// <param name="Fp32FlopsPerSecond">2 x fused multiply-adds per second over all cores.</param>
    /// <param name="Int8OpsPerSecond">2 x int8 multiply-adds per second over all cores (0 when no integer dot product is available).</param>
    internal sealed record Result(double Fp32FlopsPerSecond, string Fp32Kernel, double Int8OpsPerSecond, string Int8Kernel, int Threads);

    private const int Chains = 12;

    public static Result Measure(TimeSpan perKernel)
    {
        int threads = Environment.ProcessorCount;
        var (fp32, fp32Kernel) = Avx512F.IsSupported ? (Run(Fp32Avx512, perKernel, threads), "FMA 512-bit")
            : Fma.IsSupported ? (Run(Fp32Fma256, perKernel, threads), "FMA 256-bit")
            : (0.0, "none (no FMA)");
        var int8 = new List<(double, string)>();
        if (AvxVnni.IsSupported) int8.Add((Run(Int8AvxVnni, perKernel, threads), "AVX-VNNI vpdpbusd 256-bit"));
        if (Avx512BW.IsSupported) int8.Add((Run(Int8Avx512BW, perKernel, threads), "AVX-512BW vpmaddubsw+vpmaddwd 512-bit"));
        if (Avx2.IsSupported) int8.Add((Run(Int8Avx2, perKernel, threads), "AVX2 vpmaddubsw+vpmaddwd 256-bit"));
        // .NET 10 cannot issue 512-bit vpdpbusd (AVX-512 VNNI); ONNX Runtime's own int8 GEMM can, so it is measured too.
        int8.Add((OrtInt8Gemm(perKernel), "ONNX Runtime MatMulInteger u8 x s8 (MLAS)"));
        var (int8Peak, int8Kernel) = int8.Count > 0 ? int8.MaxBy(k => k.Item1) : (0.0, "none");
        return new Result(fp32, fp32Kernel, int8Peak, int8Kernel, threads);
    }

    /// <summary>Operations per second of <paramref name="kernel"/> on all threads at once; the best of three rounds.</summary>
    private static double Run(Func<long, double> kernel, TimeSpan duration, int threads)
    {
        kernel(1_000); // JIT the kernel before timing
        // Size one call to about the duration on one thread.
        long iterations = 100_000;
        var sw = Stopwatch.StartNew();
        kernel(iterations);
        double perIteration = Math.Max(sw.Elapsed.TotalSeconds, 1e-6) / iterations;
        iterations = Math.Max(1_000, (long)(duration.TotalSeconds / perIteration));
        double best = 0;
        for (int round = 0; round < 3; round++)
        {
            var ops = new double[threads];
            var start = Stopwatch.GetTimestamp();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => ops[t] = kernel(iterations));
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, ops.Sum() / seconds);
        }
        return best;
    }

    /// <summary>
    /// ONNX Runtime's MatMulInteger (u8 [M,K] x s8 [K,N] -> int32) on matrices that fit in cache, all cores, B constant
    /// (pre-packed as for a model's weights); best of several runs within about the given time.
    /// </summary>
    private static double OrtInt8Gemm(TimeSpan duration)
    {
        const int m = 512, k = 1024, n = 512;
        var rng = new Random(5);
        var b = new byte[k * n];
        rng.NextBytes(b);
        var graph = new GraphProto { Name = "int8-peak" };
        graph.Input.Add(Value("A", TensorProto.Types.DataType.Uint8, m, k));
        var weights = new TensorProto { Name = "B", DataType = (int)TensorProto.Types.DataType.Int8, RawData = ByteString.CopyFrom(b) };
        weights.Dims.Add([k, n]);
        graph.Initializer.Add(weights);
        graph.Output.Add(Value("C", TensorProto.Types.DataType.Int32, m, n));
        var node = new NodeProto { OpType = "MatMulInteger", Name = "matmul" };
        node.Input.Add("A");
        node.Input.Add("B");
        node.Output.Add("C");
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = 8, ProducerName = "crnn bench", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(model.ToByteArray(), options);
        var a = new byte[m * k];
        rng.NextBytes(a);
        var c = new int[m * n];
        using var va = OrtValue.CreateTensorValueFromMemory(a, [m, k]);
        using var vc = OrtValue.CreateTensorValueFromMemory(c, [m, n]);
        using var run = new RunOptions();
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        for (int i = 0; i < 3 || (i < 1000 && total.Elapsed < duration * 3); i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            session.Run(run, ["A"], [va], ["C"], [vc]);
            if (i > 0) best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds); // the first run packs B and warms up
        }
        return 2.0 * m * k * n / best;
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, long rows, long columns)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = rows });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = columns });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    // Each kernel returns the operations it did; the accumulators are folded into a sink so the JIT keeps the work.
    private static double sink;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Fp32Avx512(long iterations)
    {
        var a = Vector512.Create(0.999999f);
        var b = Vector512.Create(1e-7f);
        Vector512<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Avx512F.FusedMultiplyAdd(c0, a, b); c1 = Avx512F.FusedMultiplyAdd(c1, a, b);
            c2 = Avx512F.FusedMultiplyAdd(c2, a, b); c3 = Avx512F.FusedMultiplyAdd(c3, a, b);
            c4 = Avx512F.FusedMultiplyAdd(c4, a, b); c5 = Avx512F.FusedMultiplyAdd(c5, a, b);
            c6 = Avx512F.FusedMultiplyAdd(c6, a, b); c7 = Avx512F.FusedMultiplyAdd(c7, a, b);
            c8 = Avx512F.FusedMultiplyAdd(c8, a, b); c9 = Avx512F.FusedMultiplyAdd(c9, a, b);
            c10 = Avx512F.FusedMultiplyAdd(c10, a, b); c11 = Avx512F.FusedMultiplyAdd(c11, a, b);
        }
        sink += Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
        return 2.0 * Vector512<float>.Count * Chains * iterations;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Fp32Fma256(long iterations)
    {
        var a = Vector256.Create(0.999999f);
        var b = Vector256.Create(1e-7f);
        Vector256<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Fma.MultiplyAdd(c0, a, b); c1 = Fma.MultiplyAdd(c1, a, b); c2 = Fma.MultiplyAdd(c2, a, b); c3 = Fma.MultiplyAdd(c3, a, b);
            c4 = Fma.MultiplyAdd(c4, a, b); c5 = Fma.MultiplyAdd(c5, a, b); c6 = Fma.MultiplyAdd(c6, a, b); c7 = Fma.MultiplyAdd(c7, a, b);
            c8 = Fma.MultiplyAdd(c8, a, b); c9 = Fma.MultiplyAdd(c9, a, b); c10 = Fma.MultiplyAdd(c10, a, b); c11 = Fma.MultiplyAdd(c11, a, b);
        }
        sink += Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
        return 2.0 * Vector256<float>.Count * Chains * iterations;
    }

    /// <summary>vpdpbusd: 4 u8 x s8 products added into each int32 lane, 32 multiply-adds per 256-bit instruction.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Int8AvxVnni(long iterations)
    {
        var u = Vector256.Create((byte)3);
        var s = Vector256.Create((sbyte)-2);
        Vector256<int> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default,
            c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (long i = 0; i < iterations; i++)
        {
            c0 = AvxVnni.MultiplyWideningAndAdd(c0, u, s); c1 = AvxVnni.MultiplyWideningAndAdd(c1, u, s);
            c2 = AvxVnni.MultiplyWideningAndAdd(c2, u, s); c3 = AvxVnni.MultiplyWideningAndAdd(c3, u, s);
            c4 = AvxVnni.MultiplyWideningAndAdd(c4, u, s); c5 = AvxVnni.MultiplyWideningAndAdd(c5, u, s);
            c6 = AvxVnni.MultiplyWideningAndAdd(c6, u, s); c7 = AvxVnni.MultiplyWideningAndAdd(c7, u, s);
            c8 = AvxVnni.MultiplyWideningAndAdd(c8, u, s); c9 = AvxVnni.MultiplyWideningAndAdd(c9, u, s);
            c10 = AvxVnni.MultiplyWideningAndAdd(c10, u, s); c11 = AvxVnni.MultiplyWideningAndAdd(c11, u, s);
        }
        sink += Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
        return 2.0 * 32 * Chains * iterations;
    }

    /// <summary>vpmaddubsw (u8 x s8 pairs to int16) + vpmaddwd (int16 pairs to int32) + vpaddd: 64 multiply-adds per 512-bit step.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Int8Avx512BW(long iterations)
    {
        // Different weights per chain (else the JIT computes one product for all) and inputs that change each
        // iteration by a cheap byte add (else it hoists the products out of the loop).
        var u = Vector512.Create((byte)3);
        var step = Vector512.Create((byte)1);
        var ones = Vector512.Create((short)1);
        var s0 = Vector512.Create((sbyte)-1); var s1 = Vector512.Create((sbyte)2); var s2 = Vector512.Create((sbyte)-3); var s3 = Vector512.Create((sbyte)4);
        var s4 = Vector512.Create((sbyte)-5); var s5 = Vector512.Create((sbyte)6); var s6 = Vector512.Create((sbyte)-7); var s7 = Vector512.Create((sbyte)8);
        Vector512<int> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (long i = 0; i < iterations; i++)
        {
            c0 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u, s0), ones);
            c1 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u, s1), ones);
            c2 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u, s2), ones);
            c3 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u, s3), ones);
            c4 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u, s4), ones);
            c5 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u, s5), ones);
            c6 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u, s6), ones);
            c7 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u, s7), ones);
            u += step;
        }
        sink += Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7);
        return 2.0 * 64 * 8 * iterations;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Int8Avx2(long iterations)
    {
        // Different weights per chain (else the JIT computes one product for all) and inputs that change each
        // iteration by a cheap byte add (else it hoists the products out of the loop).
        var u = Vector256.Create((byte)3);
        var step = Vector256.Create((byte)1);
        var ones = Vector256.Create((short)1);
        var s0 = Vector256.Create((sbyte)-1); var s1 = Vector256.Create((sbyte)2); var s2 = Vector256.Create((sbyte)-3); var s3 = Vector256.Create((sbyte)4);
        var s4 = Vector256.Create((sbyte)-5); var s5 = Vector256.Create((sbyte)6); var s6 = Vector256.Create((sbyte)-7); var s7 = Vector256.Create((sbyte)8);
        Vector256<int> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (long i = 0; i < iterations; i++)
        {
            c0 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s0), ones);
            c1 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s1), ones);
            c2 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s2), ones);
            c3 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s3), ones);
            c4 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s4), ones);
            c5 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s5), ones);
            c6 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s6), ones);
            c7 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s7), ones);
            u += step;
        }
        sink += Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7);
        return 2.0 * 32 * 8 * iterations;
    }
}
