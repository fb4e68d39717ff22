namespace Crnn.MLNet.Hosting.Contracts;

/// <summary>Milliseconds spent on a request, measured by the server.</summary>
/// <param name="QueueMs">Waiting for a free scoring slot.</param>
/// <param name="DecodeMs">Decoding the image and normalising it as the model expects.</param>
/// <param name="ScoreMs">Running the model (and decoding the text, for lines).</param>
/// <param name="TotalMs">From the request's arrival at the endpoint to the answer, reading the body included.</param>
public sealed record ServingTimings(double QueueMs, double DecodeMs, double ScoreMs, double TotalMs);
