namespace Crnn.MLNet.Training.Lines;

/// <summary>What the synthesised lines say.</summary>
public enum LineTextKind
{
    /// <summary>Random characters of the dataset, each equally likely, lengths uniform in MinLength..MaxLength (digit strings).</summary>
    Random,

    /// <summary>
    /// Names and codes as written in block capitals on forms (<see cref="BlockCapitalText"/>): first names, surnames,
    /// compounds with a hyphen, space or apostrophe, initials with a full stop, "SURNAME, FIRST", name-like made-up
    /// words, random letters and letter-digit codes. Needs the dataset prepared by <see cref="BlockCapitalText.Alphabet"/>.
    /// </summary>
    Names,
}
