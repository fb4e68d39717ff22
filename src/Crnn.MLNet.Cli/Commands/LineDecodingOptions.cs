using System.CommandLine;
using Crnn.MLNet.Decoding;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>The decoding options <c>read</c> and <c>evaluate-lines</c> share: <c>--beam N | --greedy</c>, <c>--alphabet</c>, <c>--pattern</c>.</summary>
internal sealed class LineDecodingOptions
{
    public Option<int> Beam { get; } = new("--beam")
    {
        Description = "Beam search width (texts kept per time step).",
        DefaultValueFactory = _ => CrnnCtcDecodingOptions.DefaultBeamWidth,
    };

    public Option<bool> Greedy { get; } = new("--greedy") { Description = "Best-path decoding instead of beam search (faster; cannot follow --pattern)." };

    public Option<string?> Alphabet { get; } = new("--alphabet") { Description = "Only these characters may be read, e.g. 0123456789 (each must be one of the model's labels)." };

    public Option<string?> Pattern { get; } = new("--pattern") { Description = @"A regular expression the whole text must match, e.g. '\d{4}-\d{2}-\d{2}'; lines with no matching reading get an empty text and confidence 0." };

    public IEnumerable<Option> All => [Beam, Greedy, Alphabet, Pattern];

    /// <summary>The decoding options of a command line; a bad combination is a usage error naming the options.</summary>
    public CrnnCtcDecodingOptions Read(ParseResult parse, int alternatives = CrnnCtcDecodingOptions.DefaultAlternatives)
    {
        bool greedy = parse.GetValue(Greedy);
        int beam = parse.GetValue(Beam);
        string? pattern = parse.GetValue(Pattern);
        if (beam is < 1 or > 1000) throw new CliUsageException($"--beam must be in 1..1000, got {beam}.");
        if (greedy && parse.GetResult(Beam) is { Implicit: false }) throw new CliUsageException("--greedy and --beam cannot be used together.");
        if (greedy && !string.IsNullOrEmpty(pattern)) throw new CliUsageException("--pattern needs beam search: leave out --greedy.");
        return new CrnnCtcDecodingOptions
        {
            Mode = greedy ? CrnnCtcDecodingMode.Greedy : CrnnCtcDecodingMode.BeamSearch,
            BeamWidth = beam,
            Alphabet = parse.GetValue(Alphabet),
            Pattern = pattern,
            Alternatives = alternatives,
        };
    }
}
