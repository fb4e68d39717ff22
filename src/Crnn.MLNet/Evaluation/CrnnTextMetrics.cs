namespace Crnn.MLNet.Evaluation;

/// <summary>
/// How well read texts match their references (see <see cref="CrnnTextEvaluator"/>). Serialises to JSON as
/// <c>{"lines":..,"referenceCharacters":..,"edits":..,"characterErrorRate":..,"sequenceAccuracy":..,"byLength":[...]}</c>
/// with camel-case naming.
/// </summary>
/// <param name="Lines">Lines compared.</param>
/// <param name="ReferenceCharacters">Characters in all references.</param>
/// <param name="Edits">Total Levenshtein distance (insertions, deletions, substitutions) from each reference to its text.</param>
/// <param name="CharacterErrorRate">
/// <paramref name="Edits"/> / <paramref name="ReferenceCharacters"/> (can exceed 1 when texts are much longer than
/// their references). With no reference characters at all: 0 when there are no edits, else 1.
/// </param>
/// <param name="SequenceAccuracy">Fraction of lines read exactly (0 when there are no lines).</param>
/// <param name="ByLength">The same figures per reference length (in characters), shortest first.</param>
public sealed record CrnnTextMetrics(
    int Lines,
    long ReferenceCharacters,
    long Edits,
    double CharacterErrorRate,
    double SequenceAccuracy,
    IReadOnlyList<CrnnTextLengthMetrics> ByLength);

/// <summary>Text metrics of the lines whose reference has <paramref name="Length"/> characters.</summary>
public sealed record CrnnTextLengthMetrics(
    int Length,
    int Lines,
    long ReferenceCharacters,
    long Edits,
    double CharacterErrorRate,
    double SequenceAccuracy);
