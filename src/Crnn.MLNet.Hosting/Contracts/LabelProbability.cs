namespace Crnn.MLNet.Hosting.Contracts;

/// <summary>A label and the model's probability for it.</summary>
public sealed record LabelProbability(string Label, float Probability);
