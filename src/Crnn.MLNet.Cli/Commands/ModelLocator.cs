namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// Finds the model for <c>predict</c> and <c>evaluate</c> (and <c>read</c>): <c>--model</c> when given, else
/// <c>models/mnist-crnn.onnx</c> (<c>models/mnist-lines-crnn.onnx</c>) in the current directory or beside the <c>crnn</c>
/// executable (or one of their parent directories).
/// </summary>
internal static class ModelLocator
{
    public const string DefaultRelativePath = "models/mnist-crnn.onnx";
    public const string DefaultLineModelRelativePath = "models/mnist-lines-crnn.onnx";

    public static string Resolve(string? model) => Resolve(model, DefaultRelativePath);

    public static string Resolve(string? model, string defaultRelativePath)
    {
        if (!string.IsNullOrWhiteSpace(model)) return model;
        string fileName = Path.GetFileName(defaultRelativePath);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "models", fileName);
                if (File.Exists(candidate)) return candidate;
            }
        throw new CliUsageException($"no --model given, and {defaultRelativePath} was not found under the current directory, beside crnn, or in their parents.");
    }
}
