namespace Crnn.MLNet.Training.Quantization;

/// <summary>How an activation's int8 range is chosen from what the calibration images produced.</summary>
public enum CalibrationMethod
{
    /// <summary>The largest value seen: nothing clips, but one outlier coarsens every step.</summary>
    MinMax,

    /// <summary>A high percentile of the values seen (<see cref="CrnnQuantizationOptions.Percentile"/>): rare outliers clip.</summary>
    Percentile,

    /// <summary>The threshold whose quantised histogram is closest to the real one (least KL divergence, as TensorRT calibrates).</summary>
    Entropy,
}
