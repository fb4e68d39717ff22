namespace Crnn.MLNet.Training.Lines;

/// <summary>Greedy-decoding figures of a line model on a set of lines.</summary>
/// <param name="Lines">Lines scored.</param>
/// <param name="Loss">Mean over lines of the CTC loss divided by the line's length (what training minimises).</param>
/// <param name="CharacterErrorRate">Edit distance summed over lines / reference characters summed over lines.</param>
/// <param name="SequenceAccuracy">Share of lines read exactly.</param>
/// <param name="ByLength">The same figures per reference length.</param>
public sealed record LineEvaluation(int Lines, double Loss, double CharacterErrorRate, double SequenceAccuracy, IReadOnlyList<LineLengthFigures> ByLength);

/// <summary>Figures for the lines of one reference length.</summary>
public sealed record LineLengthFigures(int Length, int Lines, double CharacterErrorRate, double SequenceAccuracy);
