using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>Writes a <see cref="BenchReport"/> as one JSON object or as a text table.</summary>
internal static class BenchReportWriter
{
    /// <summary>
    /// One model: one flat object (the keys of earlier versions, plus the machine and its peak). Several: the machine
    /// and peak once, and the same per-model objects under <c>models</c>.
    /// </summary>
    public static void WriteJson(TextWriter output, BenchSuite suite)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, CliJson.Writer))
        {
            w.WriteStartObject();
            if (suite.Models.Count == 1)
            {
                ModelFields(w, suite.Models[0]);
                w.WriteNumber("peakFlopsPerSecond", Math.Round(suite.Peak.Fp32FlopsPerSecond));
                SuiteFields(w, suite);
            }
            else
            {
                SuiteFields(w, suite);
                w.WriteStartArray("models");
                foreach (var r in suite.Models)
                {
                    w.WriteStartObject();
                    ModelFields(w, r);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(ms.ToArray()));
    }

    private static void SuiteFields(Utf8JsonWriter w, BenchSuite s)
    {
        w.WriteStartObject("machine");
        w.WriteString("cpu", s.Machine.Cpu);
        w.WriteNumber("logicalCores", s.Machine.LogicalCores);
        w.WriteString("os", s.Machine.Os);
        w.WriteString("runtime", s.Machine.Runtime);
        w.WriteString("onnxRuntime", s.Machine.OnnxRuntime);
        w.WriteEndObject();
        w.WriteStartObject("peak");
        w.WriteNumber("fp32FlopsPerSecond", Math.Round(s.Peak.Fp32FlopsPerSecond));
        w.WriteString("fp32Kernel", s.Peak.Fp32Kernel);
        w.WriteNumber("int8OpsPerSecond", Math.Round(s.Peak.Int8OpsPerSecond));
        w.WriteString("int8Kernel", s.Peak.Int8Kernel);
        w.WriteNumber("threads", s.Peak.Threads);
        w.WriteEndObject();
        if (s.LightGbm is { } g)
        {
            w.WriteStartObject("lightGbmOnPixels");
            Number(w, "imagesPerSecond", g.Scoring.ImagesPerSecond);
            Number(w, "accuracy", g.Scoring.Accuracy, 4);
            w.WriteNumber("trainImages", g.TrainImages);
            Number(w, "trainSeconds", g.TrainSeconds, 1);
            w.WriteEndObject();
        }
        w.WriteString("date", s.Date.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        Number(w, "totalSeconds", s.Seconds, 1);
    }

    private static void ModelFields(Utf8JsonWriter w, BenchReport r)
    {
        w.WriteString("model", r.Model);
        w.WriteString("dataset", r.Dataset);
        w.WriteNumber("images", r.Images);
        Number(w, "rawOrt", r.RawOrt.ImagesPerSecond);
        Number(w, "pipeline", r.Pipeline.ImagesPerSecond);
        Number(w, "pipelineFromFiles", r.PipelineFromFiles.ImagesPerSecond);
        Number(w, "stockMlNet", r.StockMlNet.ImagesPerSecond);
        Number(w, "stockMlNetFromFiles", r.StockMlNetFromFiles.ImagesPerSecond);
        // Sequential single-image predictions per second, so that every step has images per second.
        Number(w, "predictionEngine", 1e6 / r.PredictionEngine.MedianMicroseconds);
        if (r.TorchSharp is { } torch) Number(w, "torchSharp", torch.ImagesPerSecond);
        else w.WriteNull("torchSharp");
        if (r.TorchSharpSkipped is { } why) w.WriteString("torchSharpSkipped", why);
        Number(w, "predictionEngineMedianMicroseconds", r.PredictionEngine.MedianMicroseconds);
        Number(w, "predictionEngineP99Microseconds", r.PredictionEngine.P99Microseconds);
        w.WriteNumber("predictionEngineSamples", r.PredictionEngine.Samples);
        Number(w, "flopsPerImage", r.FlopsPerImage);
        w.WriteBoolean("int8", r.Int8);
        Number(w, "rawOrtShareOfPeak", r.RawOrtShareOfPeak, 4);
        w.WriteNumber("peakMemoryBytes", r.PeakMemoryBytes);

        w.WriteStartObject("batchSizes");
        w.WriteNumber("rawOrt", r.RawOrt.BatchSize);
        w.WriteNumber("pipeline", r.Pipeline.BatchSize);
        w.WriteNumber("pipelineFromFiles", r.PipelineFromFiles.BatchSize);
        w.WriteNumber("stockMlNet", r.StockMlNet.BatchSize);
        w.WriteNumber("stockMlNetFromFiles", r.StockMlNetFromFiles.BatchSize);
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
        Number(w, "stockMlNetFromFiles", r.StockMlNetFromFiles.Accuracy, 4);
        Number(w, "predictionEngine", r.PredictionEngine.Accuracy, 4);
        if (r.TorchSharp is { } ta) Number(w, "torchSharp", ta.Accuracy, 4);
        w.WriteEndObject();
        w.WriteStartObject("goals");
        foreach (var (name, ratio, least, most) in r.Goals())
        {
            w.WriteStartObject(name);
            Number(w, "ratio", ratio, 3);
            w.WriteNumber("required", least);
            if (most is { } m) w.WriteNumber("atMost", m);
            if (ratio is { } y) w.WriteBoolean("met", y >= least && (most is null || y <= most));
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
        Number(w, "seconds", r.Seconds, 1);
    }

    public static void WriteText(TextWriter o, BenchSuite suite)
    {
        var m = suite.Machine;
        o.WriteLine($"machine   {m.Cpu}, {m.LogicalCores} logical cores, {m.Os}, {m.Runtime}, ONNX Runtime {m.OnnxRuntime}");
        o.WriteLine($"date      {suite.Date.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}");
        o.WriteLine($"peak      fp32 {F(suite.Peak.Fp32FlopsPerSecond / 1e9, 1)} GFLOP/s ({suite.Peak.Fp32Kernel}), " +
                    $"int8 {F(suite.Peak.Int8OpsPerSecond / 1e9, 1)} GOP/s ({suite.Peak.Int8Kernel}), {suite.Peak.Threads} threads");
        if (suite.LightGbm is { } g)
            o.WriteLine($"lightgbm  stock ML.NET LightGBM on pixels: {F(g.Scoring.ImagesPerSecond, 0)} images/s, accuracy {F(g.Scoring.Accuracy, 4)} " +
                        $"(trained on {g.TrainImages} images in {F(g.TrainSeconds, 0)} s, not timed)");
        foreach (var r in suite.Models)
        {
            o.WriteLine();
            WriteModel(o, r);
        }
    }

    private static void WriteModel(TextWriter o, BenchReport r)
    {
        o.WriteLine($"model     {r.Model}{(r.Int8 ? " (int8)" : "")}");
        o.WriteLine($"data      {r.Dataset}, {r.Images} images in memory");
        o.WriteLine();
        o.WriteLine($"{"step",-20} {"images/s",10} {"batch",6} {"accuracy",9}");
        void Row(string name, ThroughputResult t) =>
            o.WriteLine($"{name,-20} {F(t.ImagesPerSecond, 0),10} {t.BatchSize,6} {F(t.Accuracy, 4),9}");
        Row("rawOrt", r.RawOrt);
        Row("pipeline", r.Pipeline);
        Row("pipelineFromFiles", r.PipelineFromFiles);
        Row("stockMlNet", r.StockMlNet);
        Row("stockMlNetFromFiles", r.StockMlNetFromFiles);
        if (r.TorchSharp is { } torch) Row("torchSharp", torch);
        else o.WriteLine($"{"torchSharp",-20} skipped: {r.TorchSharpSkipped}");
        o.WriteLine($"{"predictionEngine",-20} median {F(r.PredictionEngine.MedianMicroseconds, 0)} us, p99 {F(r.PredictionEngine.P99Microseconds, 0)} us ({r.PredictionEngine.Samples} images)");
        o.WriteLine();
        foreach (var mode in new[] { RawOrtMode.Sequential, RawOrtMode.DataParallel })
            o.WriteLine($"raw ONNX Runtime, {RawOrtBench.Describe(mode, r.RawOrtWorkers)}{(mode == r.RawOrtMode ? " (used)" : "")}, images/s by batch size: "
                + string.Join(", ", r.RawOrtSweep.Where(s => s.Mode == mode).Select(s => $"{s.BatchSize}: {F(s.ImagesPerSecond, 0)}")));
        o.WriteLine($"FLOPs per image     {(r.FlopsPerImage is { } f ? F(f / 1e6, 1) + " M" : "unknown (no macsPerImage in the model's metadata)")}");
        if (r.RawOrtShareOfPeak is { } share)
            o.WriteLine($"rawOrt              {F(100 * share, 1)}% of the {(r.Int8 ? "int8" : "fp32")} peak");
        o.WriteLine($"peak memory         {F(r.PeakMemoryBytes / (1024.0 * 1024.0), 0)} MiB (working set)");
        o.WriteLine();
        if (r.BatchingGain is { } gain && r.StockMlNetOverRawOrtBatchOne is { } overhead)
        {
            o.WriteLine($"batching gain       {F(gain, 2)} (rawOrt over raw ONNX Runtime one image per run)");
            o.WriteLine($"stock ML.NET        {F(overhead, 2)} x raw ONNX Runtime one image per run");
        }
        o.WriteLine($"rawOrt / stockMlNet {F(r.RawOrtOverStockMlNet, 2)} (what pipeline / stockMlNet would be with the pipeline as fast as rawOrt)");
        o.WriteLine();
        foreach (var (name, ratio, least, most) in r.Goals())
        {
            string bound = most is { } top ? $"in {F(least, 2)}..{F(top, 2)}" : $">= {F(least, 2)}";
            bool? met = ratio is { } y ? y >= least && (most is null || y <= most) : null;
            o.WriteLine($"{name,-40} {(ratio is { } x ? F(x, 2) : "n/a"),6}  goal {bound}: {(met is { } ok ? (ok ? "met" : "MISSED") : "unknown")}");
        }
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
