namespace Crnn.MLNet.Training.Quantization;

/// <summary>What the quantiser does with the recurrent (LSTM/GRU) layers.</summary>
public enum RecurrentQuantization
{
    /// <summary>Try both and keep the faster one unless it loses accuracy on validation.</summary>
    Auto,

    /// <summary>Keep them in float32.</summary>
    Float,

    /// <summary>
    /// int8 weights, inputs quantised at run time (ONNX Runtime's <c>com.microsoft.DynamicQuantizeLSTM</c>; LSTM only,
    /// a GRU stays in float).
    /// </summary>
    Dynamic,
}
