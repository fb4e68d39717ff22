namespace Crnn.MLNet.Hosting.Contracts;

/// <summary>Answer of <c>POST /v1/classify</c>: the most likely label, its probability and the next most likely.</summary>
/// <param name="Label">The most likely class label.</param>
/// <param name="Confidence">Its probability (0..1).</param>
/// <param name="Alternatives">The <c>top</c> most likely labels, most likely first (the first is <paramref name="Label"/>).</param>
/// <param name="Timings">Where the time went.</param>
/// <param name="Input">The model's input as an image, when the request asked for it (<c>input=true</c>).</param>
public sealed record ClassifyResponse(string Label, float Confidence, IReadOnlyList<LabelProbability> Alternatives, ServingTimings Timings, ModelInputView? Input);
