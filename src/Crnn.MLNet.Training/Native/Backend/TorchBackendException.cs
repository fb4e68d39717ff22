namespace Crnn.MLNet.Training.Native.Backend;

/// <summary>LibTorch computed wrong numbers on this machine with every oneDNN setting tried; training would be garbage.</summary>
public sealed class TorchBackendException(string message) : InvalidOperationException(message);
