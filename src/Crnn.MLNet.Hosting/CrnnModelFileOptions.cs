namespace Crnn.MLNet.Hosting;

/// <summary>Which model file a recogniser serves, and whether it follows changes to that file.</summary>
public sealed class CrnnModelFileOptions
{
    /// <summary>Path of the ONNX model (relative paths are relative to the current directory).</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>
    /// Load the file again when it changes (written in place or replaced by a rename); requests in flight finish on the
    /// model they started with. A file that fails to load is reported by the health check and the old model stays.
    /// </summary>
    public bool ReloadOnChange { get; set; } = true;
}
