using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Export;
using Crnn.MLNet.Training.Quantization;
using Crnn.MLNet.Training.Training;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// <c>crnn quantize --model M --dataset D --out M-int8.onnx</c>: static int8 quantisation, calibrated on the training
/// images 'crnn train' trained on, each calibration method compared on the images it held out, the best written.
/// </summary>
internal static class QuantizeCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = $"The float classifier (default: {ModelLocator.DefaultRelativePath} under the current directory or beside crnn)." };
        var dataset = CommonOptions.Dataset();
        var data = CommonOptions.DataDir();
        var mapping = CommonOptions.Mapping();
        var output = new Option<string>("--out", "-o") { Description = "The int8 ONNX file to write.", Required = true };
        var methods = new Option<CalibrationMethod[]>("--method")
        {
            Description = "Calibration method(s) to try: minmax, percentile, entropy (default: all three; the best on validation is kept).",
            AllowMultipleArgumentsPerToken = true,
        };
        var recurrent = new Option<RecurrentQuantization>("--recurrent")
        {
            Description = "auto (keep the faster of the two unless it costs accuracy), float, or dynamic (int8 LSTM weights).",
            DefaultValueFactory = _ => RecurrentQuantization.Auto,
        };
        var weightBits = new Option<int>("--weight-bits")
        {
            Description = "7 (exact on every x64 CPU) or 8 (a little more precise, exact only on CPUs with VNNI; AVX2 without VNNI saturates).",
            DefaultValueFactory = _ => CrnnQuantizationOptions.Defaults.WeightBits,
        };
        var calibrationImages = new Option<int>("--calibration-images") { Description = "Training images used to calibrate activation ranges.", DefaultValueFactory = _ => CrnnQuantizationOptions.Defaults.CalibrationImages };
        var validationImages = new Option<int>("--validation-images") { Description = "Held-out images on which the candidates are compared.", DefaultValueFactory = _ => CrnnQuantizationOptions.Defaults.ValidationImages };
        var percentile = new Option<double>("--percentile") { Description = "Percentile kept by the percentile method.", DefaultValueFactory = _ => CrnnQuantizationOptions.Defaults.Percentile };
        var valFraction = new Option<double>("--val-fraction") { Description = "The training run's --val-fraction (its held-out images validate).", DefaultValueFactory = _ => TrainingOptions.Defaults.ValidationFraction };
        var seed = new Option<int>("--seed") { Description = "The training run's --seed.", DefaultValueFactory = _ => TrainingOptions.Defaults.Seed };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("quantize",
            "Write an int8 (QDQ) form of a classifier: per-channel int8 weights, uint8 activations calibrated on training images, the best calibration chosen on held-out images.")
        {
            model, dataset, data, mapping, output, methods, recurrent, weightBits, calibrationImages, validationImages, percentile, valFraction, seed, json,
        };
        command.SetAction((Func<ParseResult, int>)(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            string modelPath = ModelLocator.Resolve(parse.GetValue(model));
            string outPath = parse.GetValue(output)!;
            CrnnQuantizationOptions options;
            try
            {
                options = new CrnnQuantizationOptions(parse.GetValue(methods) is { Length: > 0 } m ? m : null, parse.GetValue(recurrent),
                    parse.GetValue(weightBits), parse.GetValue(calibrationImages), parse.GetValue(validationImages), parse.GetValue(percentile));
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new CliUsageException($"--{Dashed(e.ParamName)}: {e.Message.Split(" (Parameter")[0]}");
            }
            double fraction = parse.GetValue(valFraction);
            if (fraction is <= 0 or >= 1) throw new CliUsageException($"--val-fraction must be in (0, 1), got {fraction}.");

            var ui = new ConsoleProgress(parse.InvocationConfiguration.Error);
            var request = new DatasetRequest(parse.GetValue(dataset)!, parse.GetValue(data), MappingPath: parse.GetValue(mapping));
            var train = ui.Run($"Loading {request.NameOrPath} (train)", _ => DatasetLoader.Load(request, DatasetSplit.Train));
            // The split 'crnn train' made: calibrate on images it trained on, compare on the ones it held out.
            var (trainIdx, valIdx) = StratifiedSplit.Split(train.Labels, fraction, parse.GetValue(seed));
            var calibration = train.Subset(trainIdx, $"{train.Name} (train part)");
            var validation = train.Subset(valIdx, $"{train.Name} (held out)");
            var report = ui.Run($"Quantising {Path.GetFileName(modelPath)}", r => CrnnQuantizer.Quantize(modelPath, calibration, validation, outPath, options,
                new SyncProgress<CrnnExportProgress>(p => r(p.Fraction, p.Stage, false))));
            if (parse.GetValue(json)) WriteJson(stdout, report);
            else WriteText(stdout, report);
            return 0;
        }));
        return command;
    }

    private static string Dashed(string? name) => name switch
    {
        "weightBits" => "weight-bits",
        "calibrationImages" => "calibration-images",
        "validationImages" => "validation-images",
        "methods" => "method",
        null => "option",
        _ => name,
    };

    private static string P(double v) => (100 * v).ToString("F2", CultureInfo.InvariantCulture) + "%";

    private static void WriteText(TextWriter o, CrnnQuantizationReport r)
    {
        o.WriteLine($"Wrote {r.Output} ({r.QuantizedBytes:N0} bytes, {(double)r.QuantizedBytes / r.FloatBytes:P0} of the float model's {r.FloatBytes:N0}).");
        o.WriteLine($"Calibrated on {r.CalibrationImages:N0} training images; compared on {r.ValidationImages:N0} held-out images; weights {r.WeightBits}-bit.");
        o.WriteLine();
        o.WriteLine($"{"form",-36} {"accuracy",9} {"log-loss",9} {"agrees",8} {"max |dP|",9} {"images/s",9}");
        foreach (var c in r.Candidates.Prepend(r.Float))
            o.WriteLine($"{c.Name + (ReferenceEquals(c, r.Chosen) ? " (chosen)" : ""),-36} {P(c.Accuracy),9} {c.LogLoss.ToString("F4", CultureInfo.InvariantCulture),9} " +
                        $"{P(c.Agreement),8} {c.MaxProbabilityDelta.ToString("F4", CultureInfo.InvariantCulture),9} {c.ImagesPerSecond,9:F0}");
    }

    private static void WriteJson(TextWriter o, CrnnQuantizationReport r)
    {
        static object Row(QuantizationCandidate c) => new
        {
            name = c.Name,
            method = c.Method?.ToString().ToLowerInvariant(),
            dynamicRecurrent = c.DynamicRecurrent,
            accuracy = Math.Round(c.Accuracy, 6),
            logLoss = Math.Round(c.LogLoss, 6),
            agreement = Math.Round(c.Agreement, 6),
            maxProbabilityDelta = Math.Round(c.MaxProbabilityDelta, 6),
            imagesPerSecond = Math.Round(c.ImagesPerSecond, 1),
        };
        var obj = new
        {
            model = r.Model,
            output = r.Output,
            floatBytes = r.FloatBytes,
            quantizedBytes = r.QuantizedBytes,
            weightBits = r.WeightBits,
            calibrationImages = r.CalibrationImages,
            validationImages = r.ValidationImages,
            @float = Row(r.Float),
            candidates = r.Candidates.Select(Row),
            chosen = r.Chosen.Name,
            thresholds = r.Thresholds,
        };
        o.WriteLine(JsonSerializer.Serialize(obj, CliJson.Serializer));
    }
}
