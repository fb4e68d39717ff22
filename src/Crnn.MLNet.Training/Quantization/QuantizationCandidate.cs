namespace Crnn.MLNet.Training.Quantization;

/// <summary>
/// One model measured on the validation images: the float original (<see cref="Method"/> null) or an int8 form.
/// </summary>
/// <param name="Name">e.g. <c>float32</c>, <c>entropy</c>, <c>entropy + dynamic LSTM</c>.</param>
/// <param name="Accuracy">Share of validation images whose arg-max is the true label.</param>
/// <param name="LogLoss">Mean negative log-probability of the true label.</param>
/// <param name="Agreement">Share of validation images with the same arg-max as the float model.</param>
/// <param name="MaxProbabilityDelta">Largest |p_int8 - p_float| over every class of every validation image.</param>
/// <param name="ImagesPerSecond">Validation images scored per second through <see cref="Crnn.MLNet.Model.CrnnOnnxModel"/> (indicative: one run).</param>
public sealed record QuantizationCandidate(string Name, CalibrationMethod? Method, bool DynamicRecurrent, double Accuracy, double LogLoss,
    double Agreement, double MaxProbabilityDelta, double ImagesPerSecond);
