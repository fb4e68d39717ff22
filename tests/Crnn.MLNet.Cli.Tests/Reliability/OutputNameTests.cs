using Crnn.MLNet.Cli.Commands;

namespace Crnn.MLNet.Cli.Tests.Reliability;

/// <summary>The default output folder of <c>crnn train</c> (runs/&lt;dataset&gt;) cannot climb out of runs/, whatever the dataset is called.</summary>
public class OutputNameTests
{
    [Theory]
    [InlineData("../../etc", "______etc")]
    [InlineData("/abs/path", "_abs_path")]
    [InlineData("..", "__")]
    [InlineData("a\\b", "a_b")]
    [InlineData("emnist-balanced", "emnist-balanced")]
    public void Dataset_names_become_plain_folder_names(string name, string expected)
    {
        string safe = CommonOptions.SafeName(name);
        Assert.Equal(expected, safe);
        string full = Path.GetFullPath(Path.Combine("runs", safe));
        Assert.Equal(Path.GetFullPath("runs"), Path.GetDirectoryName(full));
    }
}
