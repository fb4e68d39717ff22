using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project tests/Crnn.MLNet.Benchmarks -- --filter '*'
// The model: CRNN_BENCH_MODEL, else models/mnist-crnn.onnx; images: CRNN_DATA_DIR/mnist when set.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
