using Crnn.MLNet.Cli.Batch;

namespace Crnn.MLNet.Cli.Tests.Batch;

public class ShardTests
{
    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("3/4", 3, 4)]
    [InlineData("0/1000", 0, 1000)]
    public void Shares_parse(string text, int index, int count)
    {
        Assert.Equal(new Shard(index, count), Shard.Parse(text));
        Assert.Equal(text, Shard.Parse(text).ToString());
    }

    [Theory]
    [InlineData("4/4")]
    [InlineData("1/0")]
    [InlineData("-1/4")]
    [InlineData("1")]
    [InlineData("/4")]
    [InlineData("a/b")]
    [InlineData("1/4/5")]
    [InlineData(" 1/4")]
    public void Other_shares_are_usage_errors_naming_the_option(string text)
    {
        var e = Assert.Throws<CliUsageException>(() => Shard.Parse(text));
        Assert.Contains("--shard", e.Message);
        Assert.Contains($"'{text}'", e.Message);
    }

    [Fact]
    public void The_hash_is_xxhash64_of_the_utf8_path()
    {
        // The same values as Python's xxhash.xxh64_intdigest(key.encode()): the documented way to predict a shard.
        Assert.Equal(0xEF46DB3751D8E999UL, Shard.Hash(""));
        Assert.Equal(0xD24EC4F1A98C6E5BUL, Shard.Hash("a"));
        Assert.Equal(0x44BC2CF5AD770999UL, Shard.Hash("abc"));
        Assert.Equal(0xF6D6DF7A222F8CC0UL, Shard.Hash("png/00042.png"));
        Assert.Equal(0x4C6CCB904D64869EUL, Shard.Hash("scans/é/ü.png"));
        Assert.True(new Shard(0, 4).Contains("png/00042.png"));
        // Long keys take the pooled path, with the same result as the stack path would give.
        string longKey = new string('x', 2000) + ".png";
        Assert.Equal(System.IO.Hashing.XxHash64.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(longKey)), Shard.Hash(longKey));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Shares_are_disjoint_cover_everything_and_are_about_even(int count)
    {
        var keys = Enumerable.Range(0, 20_000).Select(i => $"archive/{i % 37}/scan-{i:D6}.png").ToArray();
        var owners = keys.Select(k => Enumerable.Range(0, count).Where(i => new Shard(i, count).Contains(k)).ToArray()).ToArray();
        Assert.All(owners, o => Assert.Single(o));
        foreach (var g in owners.GroupBy(o => o[0]))
            Assert.InRange(g.Count(), keys.Length / count * 0.9, keys.Length / count * 1.1);
        Assert.All(keys, k => Assert.True(Shard.All.Contains(k)));
    }
}
