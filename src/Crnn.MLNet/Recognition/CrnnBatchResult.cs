namespace Crnn.MLNet.Recognition;

/// <summary>
/// The outcome for one input of a batched <c>TryPredict</c>: a prediction (<see cref="CrnnPrediction"/> from
/// <see cref="CrnnRecognizer"/>, <see cref="Decoding.CrnnTextPrediction"/> from <see cref="CrnnTextRecognizer"/>), or the reason there is none.
/// </summary>
/// <param name="Source">The input as given (a file path, or a name given by the caller).</param>
/// <param name="Prediction">The prediction, or null when the input could not be used.</param>
/// <param name="Error">Why the input could not be used (null on success).</param>
public sealed record CrnnBatchResult<TPrediction>(string Source, TPrediction? Prediction, string? Error) where TPrediction : class
{
    public bool Succeeded => Prediction is not null;
}
