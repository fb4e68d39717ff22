using Crnn.MLNet.Cli.Commands;

namespace Crnn.MLNet.Cli.Tests;

public class MergedAccuracyTests
{
    private static readonly string[] Labels = ["0", "1", "I", "L", "O"];

    [Fact]
    public void Confusions_inside_a_group_count_as_right_and_others_do_not()
    {
        // rows actual, columns predicted: 0→O twice, I→1 once, L→0 once (not in L's group), 10 right on the diagonal.
        int[][] confusion =
        [
            [2, 0, 0, 0, 2],
            [0, 2, 0, 0, 0],
            [0, 1, 2, 0, 0],
            [1, 0, 0, 2, 0],
            [0, 0, 0, 0, 2],
        ];
        var groups = MergedAccuracy.ParseGroups(["O 0", "I 1 L"], Labels);
        Assert.Equal(13.0 / 14, MergedAccuracy.Compute(confusion, groups), 12);
        Assert.Equal(10.0 / 14, MergedAccuracy.Compute(confusion, []), 12);
    }

    [Fact]
    public void Bad_groups_are_named()
    {
        Assert.Contains("'Q' is not one of the model's labels", Assert.Throws<CliUsageException>(() => MergedAccuracy.ParseGroups(["O Q"], Labels)).Message);
        Assert.Contains("two or more labels", Assert.Throws<CliUsageException>(() => MergedAccuracy.ParseGroups(["O"], Labels)).Message);
        Assert.Contains("'0' is in more than one group", Assert.Throws<CliUsageException>(() => MergedAccuracy.ParseGroups(["O 0", "0 1"], Labels)).Message);
    }
}
