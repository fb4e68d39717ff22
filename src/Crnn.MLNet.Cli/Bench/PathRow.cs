namespace Crnn.MLNet.Cli.Bench;

/// <summary>An in-memory row holding the path of one image file, in the classifier's default input column.</summary>
internal sealed class PathRow
{
    public string Image { get; set; } = "";
}
