namespace Crnn.MLNet.Hosting.Contracts;

/// <summary>Answer of <c>POST /v1/read</c>: the text of a line and how sure the model is of it.</summary>
/// <param name="Text">The text read (empty when nothing was written, or when no text matches the pattern).</param>
/// <param name="Confidence">The model's probability of exactly this text (0..1).</param>
/// <param name="Characters">The characters of the text with their probabilities, positions and alternatives.</param>
/// <param name="Timings">Where the time went.</param>
/// <param name="Input">The model's input as an image, when the request asked for it (<c>input=true</c>).</param>
public sealed record ReadResponse(string Text, float Confidence, IReadOnlyList<ReadCharacter> Characters, ServingTimings Timings, ModelInputView? Input);

/// <summary>One character of a read text.</summary>
/// <param name="Character">The character (one of the model's labels).</param>
/// <param name="Confidence">Its probability at its peak time step.</param>
/// <param name="FirstStep">First time step of the character (a step covers the model's time step width in input columns).</param>
/// <param name="LastStep">Last time step (inclusive).</param>
/// <param name="Alternatives">The most likely labels at its peak step.</param>
public sealed record ReadCharacter(string Character, float Confidence, int FirstStep, int LastStep, IReadOnlyList<LabelProbability> Alternatives);
