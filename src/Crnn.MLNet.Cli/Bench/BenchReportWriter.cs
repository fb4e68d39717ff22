using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>Writes a <see cref="BenchReport"/> as one JSON object or as a text table.</summary>
internal static class BenchReportWriter
{
    public static void WriteJson(TextWriter output, BenchReport r)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, CliJson.Writer))
        {
            w.WriteStartObject();
            w.WriteString("model", r.Model);
            w.WriteString("dataset", r.Dataset);
            w.WriteNumber("images", r.Images);
            Number(w, "rawOrt", r.RawOrt.ImagesPerSecond);
            Number(w, "pipeline", r.Pipeline.ImagesPerSecond);
            Number(w, "pipelineFromFiles", r.PipelineFromFiles.ImagesPerSecond);
            Number(w, "stockMlNet", r.StockMlNet.ImagesPerSecond);
            // Sequential single-image predictions per second, so that every step has images per second.
            Number(w, "predictionEngine", 1e6 / r.PredictionEngine.MedianMicroseconds);
            if (r.TorchSharp is { } torch) Number(w, "torchSharp", torch.ImagesPerSecond);
            else w.WriteNull("torchSharp");
            if (r.TorchSharpSkipped is { } why) w.WriteString("torchSharpSkipped", why);
            Number(w, "predictionEngineMedianMicroseconds", r.PredictionEngine.MedianMicroseconds);
            Number(w, "predictionEngineP99Microseconds", r.PredictionEngine.P99Microseconds);
            w.WriteNumber("predictionEngineSamples", r.PredictionEngine.Samples);
            Number(w, "flopsPerImage", r.FlopsPerImage);
            w.WriteNumber("peakFlopsPerSecond", Math.Round(r.PeakFlopsPerSecond));
            w.WriteNumber("peakFlopsMatrixSize", r.PeakFlopsMatrixSize);
            Number(w, "flopLimitImagesPerSecond", r.FlopLimitImagesPerSecond);
            w.WriteNumber("peakMemoryBytes", r.PeakMemoryBytes);

            w.WriteStartObject("batchSizes");
            w.WriteNumber("rawOrt", r.RawOrt.BatchSize);
            w.WriteNumber("pipeline", r.Pipeline.BatchSize);
            w.WriteNumber("pipelineFromFiles", r.PipelineFromFiles.BatchSize);
            w.WriteNumber("stockMlNet", r.StockMlNet.BatchSize);
            if (r.TorchSharp is { } t) w.WriteNumber("torchSharp", t.BatchSize);
            w.WriteEndObject();
            w.WriteString("rawOrtMode", r.RawOrtMode == RawOrtMode.Sequential ? "sequential" : "dataParallel");
            // Images per second by batch size: one run at a time with default threads, and one run per core with one thread each.
            Sweep(w, "rawOrtBatchSweep", r, RawOrtMode.Sequential);
            Sweep(w, "rawOrtDataParallelSweep", r, RawOrtMode.DataParallel);
            w.WriteNumber("rawOrtDataParallelRuns", r.RawOrtWorkers);
            w.WriteStartObject("accuracy");
            Number(w, "rawOrt", r.RawOrt.Accuracy, 4);
            Number(w, "pipeline", r.Pipeline.Accuracy, 4);
            Number(w, "pipelineFromFiles", r.PipelineFromFiles.Accuracy, 4);
            Number(w, "stockMlNet", r.StockMlNet.Accuracy, 4);
            Number(w, "predictionEngine", r.PredictionEngine.Accuracy, 4);
            if (r.TorchSharp is { } ta) Number(w, "torchSharp", ta.Accuracy, 4);
            w.WriteEndObject();
            w.WriteStartObject("goals");
            foreach (var (name, ratio, required) in r.Goals())
            {
                w.WriteStartObject(name);
                Number(w, "ratio", ratio, 3);
                w.WriteNumber("required", required);
                if (ratio is { } y) w.WriteBoolean("met", y >= required);
                else w.WriteNull("met");
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartObject("analysis");
            Number(w, "rawOrtBatchOne", r.RawOrtBatchOne);
            Number(w, "batchingGain", r.BatchingGain, 3);
            Number(w, "stockMlNetOverRawOrtBatchOne", r.StockMlNetOverRawOrtBatchOne, 3);
            Number(w, "rawOrtOverStockMlNet", r.RawOrtOverStockMlNet, 3);
            w.WriteEndObject();
            w.WriteStartObject("machine");
            w.WriteString("cpu", r.Machine.Cpu);
            w.WriteNumber("logicalCores", r.Machine.LogicalCores);
            w.WriteString("os", r.Machine.Os);
            w.WriteString("runtime", r.Machine.Runtime);
            w.WriteString("onnxRuntime", r.Machine.OnnxRuntime);
            w.WriteEndObject();
            w.WriteString("date", r.Date.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            Number(w, "seconds", r.Seconds, 1);
            w.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(ms.ToArray()));
    }

    public static void WriteText(TextWriter o, BenchReport r)
    {
        o.WriteLine($"model     {r.Model}");
        o.WriteLine($"data      {r.Dataset}, {r.Images} images in memory");
        o.WriteLine($"machine   {r.Machine.Cpu}, {r.Machine.LogicalCores} logical cores, {r.Machine.Os}, {r.Machine.Runtime}, ONNX Runtime {r.Machine.OnnxRuntime}");
        o.WriteLine($"date      {r.Date.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}");
        o.WriteLine();
        o.WriteLine($"{"step",-20} {"images/s",10} {"batch",6} {"accuracy",9}");
        void Row(string name, ThroughputResult t) =>
            o.WriteLine($"{name,-20} {F(t.ImagesPerSecond, 0),10} {t.BatchSize,6} {F(t.Accuracy, 4),9}");
        Row("rawOrt", r.RawOrt);
        Row("pipeline", r.Pipeline);
        Row("pipelineFromFiles", r.PipelineFromFiles);
        Row("stockMlNet", r.StockMlNet);
        if (r.TorchSharp is { } torch) Row("torchSharp", torch);
        else o.WriteLine($"{"torchSharp",-20} skipped: {r.TorchSharpSkipped}");
        o.WriteLine($"{"predictionEngine",-20} median {F(r.PredictionEngine.MedianMicroseconds, 0)} us, p99 {F(r.PredictionEngine.P99Microseconds, 0)} us ({r.PredictionEngine.Samples} images)");
        o.WriteLine();
        foreach (var mode in new[] { RawOrtMode.Sequential, RawOrtMode.DataParallel })
            o.WriteLine($"raw ONNX Runtime, {RawOrtBench.Describe(mode, r.RawOrtWorkers)}{(mode == r.RawOrtMode ? " (used)" : "")}, images/s by batch size: "
                + string.Join(", ", r.RawOrtSweep.Where(s => s.Mode == mode).Select(s => $"{s.BatchSize}: {F(s.ImagesPerSecond, 0)}")));
        o.WriteLine($"FLOPs per image     {(r.FlopsPerImage is { } f ? F(f / 1e6, 1) + " M" : "unknown (no macsPerImage in the model's metadata)")}");
        o.WriteLine($"peak FLOP/s         {F(r.PeakFlopsPerSecond / 1e9, 1)} G (fp32 MatMul {r.PeakFlopsMatrixSize}x{r.PeakFlopsMatrixSize}, ONNX Runtime)");
        if (r.FlopLimitImagesPerSecond is { } limit) o.WriteLine($"FLOP limit          {F(limit, 0)} images/s");
        o.WriteLine($"peak memory         {F(r.PeakMemoryBytes / (1024.0 * 1024.0), 0)} MiB (working set)");
        o.WriteLine();
        if (r.BatchingGain is { } gain && r.StockMlNetOverRawOrtBatchOne is { } overhead)
        {
            o.WriteLine($"batching gain       {F(gain, 2)} (rawOrt over raw ONNX Runtime one image per run)");
            o.WriteLine($"stock ML.NET        {F(overhead, 2)} x raw ONNX Runtime one image per run");
        }
        o.WriteLine($"rawOrt / stockMlNet {F(r.RawOrtOverStockMlNet, 2)} (what pipeline / stockMlNet would be with the pipeline as fast as rawOrt)");
        o.WriteLine();
        foreach (var (name, ratio, required) in r.Goals())
            o.WriteLine($"{name,-22} {(ratio is { } x ? F(x, 2) : "n/a"),6}  goal >= {F(required, 2)}: {(ratio is { } y ? (y >= required ? "met" : "MISSED") : "unknown")}");
    }

    private static void Sweep(Utf8JsonWriter w, string name, BenchReport r, RawOrtMode mode)
    {
        w.WriteStartObject(name);
        foreach (var s in r.RawOrtSweep.Where(s => s.Mode == mode))
            Number(w, s.BatchSize.ToString(CultureInfo.InvariantCulture), s.ImagesPerSecond);
        w.WriteEndObject();
    }

    // Non-finite values (nothing measured) become null: JSON has no NaN.
    private static void Number(Utf8JsonWriter w, string name, double? value, int digits = 1)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, Math.Round(v, digits));
        else w.WriteNull(name);
    }

    private static string F(double v, int digits) => v.ToString("N" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
