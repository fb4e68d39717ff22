namespace Crnn.MLNet.Recognition;

/// <summary>The outcome for one input of a batch: a result, or the reason there is none.</summary>
public sealed record CrnnTextReadResult(string Source, CrnnTextResult? Result, string? Error)
{
    public bool Succeeded => Result is not null;
}
