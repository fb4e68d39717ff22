namespace Crnn.MLNet.Training.Quantization;

/// <summary>What <see cref="CrnnQuantizer"/> measured and chose.</summary>
/// <param name="Float">The float model on the same validation images.</param>
/// <param name="Candidates">Every int8 form tried.</param>
/// <param name="Chosen">The one written.</param>
/// <param name="Thresholds">The chosen calibration's upper bound of each quantised activation, by tensor name.</param>
public sealed record CrnnQuantizationReport(string Model, string Output, int CalibrationImages, int ValidationImages, int WeightBits,
    QuantizationCandidate Float, IReadOnlyList<QuantizationCandidate> Candidates, QuantizationCandidate Chosen,
    IReadOnlyDictionary<string, float> Thresholds, long FloatBytes, long QuantizedBytes);
