using Crnn.MLNet.Cli.Batch;

namespace Crnn.MLNet.Cli.Tests.Batch;

public sealed class InputSourceTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Touch(string relative)
    {
        string path = _dir.Combine(relative.Split('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [1]);
        return path;
    }

    [Fact]
    public void A_folder_is_walked_in_a_fixed_order_at_any_depth_taking_only_images()
    {
        foreach (string f in new[] { "b.png", "a.JPG", "B.jpeg", "notes.txt", "z/y/deep.webp", "z/x.gif", "m/1.bmp", "m/.hidden.png", ".git/c.png", "m/10.png", "m/2.png" })
            Touch(f);
        var inputs = new FolderInputSource(_dir.Path).Enumerate().ToArray();
        // Ordinal order of names, a folder's files before its subfolders; hidden entries and other extensions skipped.
        string[] expected = ["B.jpeg", "a.JPG", "b.png", "m/1.bmp", "m/10.png", "m/2.png", "z/x.gif", "z/y/deep.webp"];
        Assert.Equal(expected, inputs.Select(i => i.ShardKey));
        Assert.All(inputs, i => Assert.Equal(Path.Join(_dir.Path, i.ShardKey), i.Path));
        Assert.All(inputs, i => Assert.Equal(i.Path, i.FilePath));
        Assert.All(inputs, i => Assert.True(File.Exists(i.FilePath)));
        // The same every time.
        Assert.Equal(inputs, new FolderInputSource(_dir.Path).Enumerate());
    }

    [Fact]
    public void Folder_paths_keep_the_root_as_given_and_shards_use_the_relative_path()
    {
        Touch("scans/a/1.png");
        string cwd = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = _dir.Path;
            var input = Assert.Single(InputSource.Open("scans/", () => TextReader.Null).Enumerate());
            Assert.Equal("scans/a/1.png", input.Path);
            Assert.Equal("a/1.png", input.ShardKey);
        }
        finally { Environment.CurrentDirectory = cwd; }
    }

    [Fact]
    public void A_list_is_read_line_by_line_relative_to_its_folder()
    {
        string other = Touch("elsewhere/abs.png");
        Directory.CreateDirectory(_dir.Combine("lists"));
        string list = _dir.Combine("lists", "list.txt");
        File.WriteAllText(list, $"# scans of 2026\n\nimg/a.png\n  img/b.png  \r\n{other}\nimg/c.png\tlabel text\n   # indented comment\nimg/a.png\n");
        var inputs = InputSource.Open(list, () => throw new InvalidOperationException("not stdin")).Enumerate().ToArray();
        Assert.Equal(["img/a.png", "img/b.png", other, "img/c.png", "img/a.png"], inputs.Select(i => i.Path));
        Assert.Equal(inputs.Select(i => i.Path), inputs.Select(i => i.ShardKey));
        string folder = _dir.Combine("lists");
        Assert.Equal([Path.Join(folder, "img/a.png"), Path.Join(folder, "img/b.png"), other, Path.Join(folder, "img/c.png"), Path.Join(folder, "img/a.png")],
            inputs.Select(i => i.FilePath));
    }

    [Fact]
    public void Standard_input_is_a_list_relative_to_the_current_folder_and_is_not_counted()
    {
        var source = InputSource.Open("-", () => new StringReader("a.png\n\n#x\nsub/b.png\n"));
        Assert.False(source.CanCount);
        Assert.Equal("standard input", source.Description);
        Assert.Equal(["a.png", "sub/b.png"], source.Enumerate().Select(i => i.FilePath));
    }

    [Fact]
    public void Shards_filter_by_the_key()
    {
        var source = InputSource.Open("-", () => new StringReader(string.Join('\n', Enumerable.Range(0, 300).Select(i => $"{i}.png"))));
        var all = source.Enumerate().Select(i => i.Path).ToArray();
        source = InputSource.Open("-", () => new StringReader(string.Join('\n', all)));
        var first = source.Enumerate(new Shard(0, 3)).Select(i => i.Path).ToArray();
        Assert.Equal(all.Where(p => new Shard(0, 3).Contains(p)), first);
        Assert.InRange(first.Length, 70, 130);
    }

    [Fact]
    public void An_image_or_a_missing_path_as_input_is_an_error_naming_it()
    {
        string image = Touch("one.png");
        var usage = Assert.Throws<CliUsageException>(() => InputSource.Open(image, () => TextReader.Null));
        Assert.Contains(image, usage.Message);
        var missing = Assert.Throws<FileNotFoundException>(() => InputSource.Open(_dir.Combine("nope"), () => TextReader.Null));
        Assert.Contains("nope", missing.Message);
    }
}
