using System.CommandLine;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Lines;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>
/// <c>--text random|names</c> with the length options, shared by <c>train-lines</c> and <c>make-lines</c> so that a
/// model's test lines are written exactly as it was trained.
/// </summary>
internal sealed class LineTextOptions
{
    /// <summary>Names run longer than digit strings: the default most characters per line when --text names.</summary>
    public const int NamesMaxLength = 24;

    public Option<LineTextKind> Text { get; } = new("--text")
    {
        Description = "What the lines say: random (random characters of the dataset, e.g. digit strings) or names (first names, surnames and codes in " +
                      $"block capitals: 0-9, A-Z, space and - ' . , from a dataset with digits and capitals such as emnist47; --max-length defaults to {NamesMaxLength}).",
        DefaultValueFactory = _ => LineTextKind.Random,
    };

    public Option<int> MinLength { get; } = new("--min-length") { Description = "Fewest characters per line.", DefaultValueFactory = _ => LineSynthesisOptions.Defaults.MinLength };

    public Option<int> MaxLength { get; } = new("--max-length") { Description = $"Most characters per line (default {LineSynthesisOptions.Defaults.MaxLength}; {NamesMaxLength} with --text names).", DefaultValueFactory = _ => LineSynthesisOptions.Defaults.MaxLength };

    public IEnumerable<Option> All => [Text, MinLength, MaxLength];

    /// <summary>The synthesis options the command line asks for.</summary>
    public LineSynthesisOptions Synthesis(ParseResult parse, double realism)
    {
        var text = parse.GetValue(Text);
        int maxLength = text == LineTextKind.Names && parse.GetResult(MaxLength) is null or { Implicit: true } ? NamesMaxLength : parse.GetValue(MaxLength);
        return new LineSynthesisOptions(parse.GetValue(MinLength), maxLength) { Realism = realism, Text = text };
    }

    /// <summary>The dataset as the lines use it: cut down to the block-capital glyphs for names.</summary>
    public static CharacterDataset Prepare(CharacterDataset set, LineSynthesisOptions synthesis) =>
        synthesis.Text == LineTextKind.Names ? BlockCapitalText.Alphabet(set) : set;
}
