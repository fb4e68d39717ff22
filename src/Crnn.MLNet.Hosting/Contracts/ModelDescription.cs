namespace Crnn.MLNet.Hosting.Contracts;

/// <summary>One served model, as <c>GET /v1/models</c> lists it.</summary>
/// <param name="Kind"><c>classifier</c> (<c>POST /v1/classify</c>) or <c>line</c> (<c>POST /v1/read</c>).</param>
/// <param name="File">The model's file name.</param>
/// <param name="Dataset">What it was trained on.</param>
/// <param name="Labels">Its classes, in output order.</param>
/// <param name="InputHeight">Height of the model's input in pixels.</param>
/// <param name="InputWidth">Width of the input (a line model's largest width).</param>
/// <param name="Metrics">Figures measured at training time, from the model's metadata.</param>
/// <param name="LoadedAt">When the file was loaded.</param>
/// <param name="ReloadError">Why the last reload of a changed file failed (the previous model is still served), or null.</param>
public sealed record ModelDescription(string Kind, string File, string Dataset, IReadOnlyList<string> Labels, int InputHeight, int InputWidth,
    IReadOnlyDictionary<string, double>? Metrics, DateTimeOffset LoadedAt, string? ReloadError);
