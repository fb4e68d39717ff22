namespace Crnn.MLNet.Training.Export;

/// <summary>Two values of an ONNX graph would have the same name (ONNX graphs assign each name once).</summary>
internal sealed class DuplicateOnnxNameException(string name)
    : InvalidOperationException($"the ONNX value name '{name}' is defined twice")
{
    /// <summary>The name defined twice.</summary>
    public string Name { get; } = name;
}
