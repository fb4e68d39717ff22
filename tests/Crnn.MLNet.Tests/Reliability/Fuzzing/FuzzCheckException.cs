namespace Crnn.MLNet.Tests.Reliability.Fuzzing;

/// <summary>A fuzz target's own check failed (never a clean rejection).</summary>
internal sealed class FuzzCheckException(string message) : Exception(message);
