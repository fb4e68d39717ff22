namespace Crnn.MLNet.Decoding;

/// <summary>A line of text read by a CTC line model.</summary>
/// <param name="Text">The decoded text (empty when nothing was written, or when a constrained decode found no matching text).</param>
/// <param name="Confidence">
/// The model's probability of exactly this text: the sum over every CTC alignment (every placement of blanks and
/// repeats over the time steps) that collapses to it, computed exactly with the CTC forward algorithm, in [0, 1]. The
/// same definition for greedy and beam decoding, and not renormalised by a constraint: a constraint that forces an
/// unlikely reading gives a low confidence. 0 when a constrained decode found no matching text.
/// </param>
/// <param name="Characters">One entry per label the model wrote, in order: their <see cref="CrnnTextCharacter.Character"/>s concatenated are <paramref name="Text"/>.</param>
/// <param name="TimeSteps">Time steps the model produced for this line (its input width divided by the model's time step width).</param>
public sealed record CrnnTextPrediction(string Text, float Confidence, IReadOnlyList<CrnnTextCharacter> Characters, int TimeSteps)
{
    /// <summary>The result of a constrained decode with no matching text.</summary>
    public static CrnnTextPrediction NoMatch(int timeSteps) => new("", 0f, [], timeSteps);
}

/// <summary>One decoded character and where the model wrote it.</summary>
/// <param name="Character">The character as text: one of the model's labels, usually one UTF-16 unit, but possibly a
/// surrogate pair (beyond the BMP) or a letter written with several code points (a base and its modifier).</param>
/// <param name="Confidence">The model's probability of this character at its peak step (the step of its span where that probability is highest).</param>
/// <param name="FirstStep">First time step of the character in the most likely alignment of the text (step t covers input columns t*w .. t*w+w-1 for time step width w).</param>
/// <param name="LastStep">Last time step of the character in that alignment (inclusive).</param>
/// <param name="Alternatives">The most likely labels at the peak step, most likely first (the blank excluded); probabilities as the model gives them, not renormalised.</param>
public sealed record CrnnTextCharacter(string Character, float Confidence, int FirstStep, int LastStep, IReadOnlyList<CrnnCharacterCandidate> Alternatives)
{
    /// <summary>The alternatives as <c>7=0.9812 1=0.0120 4=0.0031</c> (label, '=', probability with 4 decimals; separated by one space).</summary>
    public string FormatAlternatives() =>
        string.Join(' ', Alternatives.Select(a => $"{a.Character}={a.Probability.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}"));
}

/// <summary>A candidate character (one of the model's labels, as text) and the model's probability for it at one time step.</summary>
public sealed record CrnnCharacterCandidate(string Character, float Probability);
