namespace Crnn.MLNet.Cli.Batch;

/// <summary>
/// What a batch job runs on each chunk of inputs: the library's batched recognition (decoding, scoring, CTC decoding),
/// turned into result rows. Called from several workers at once, each with its own chunk.
/// </summary>
internal interface IBatchRecognizer
{
    /// <summary>Inputs per chunk: what one call recognises, batched inside.</summary>
    int ChunkSize { get; }

    /// <summary>One JSON line per input, in order; an input that cannot be read is a row with its error.</summary>
    BatchRows Recognize(IReadOnlyList<BatchInput> inputs);
}

/// <summary>The result rows of one chunk: UTF-8 JSON lines, each ending with '\n'.</summary>
internal sealed record BatchRows(byte[] Utf8, int Count, int Errors);
