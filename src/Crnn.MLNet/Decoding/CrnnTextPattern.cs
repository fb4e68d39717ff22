using System.Globalization;
using System.Text.RegularExpressions;
using Fare;

namespace Crnn.MLNet.Decoding;

/// <summary>
/// A regular expression of allowed texts, for constrained CTC decoding: the WHOLE decoded text must match it (as if
/// written <c>^(?:pattern)$</c>). Compiled into a deterministic automaton (with Fare, a port of dk.brics.automaton), so
/// that beam search can follow the automaton's state character by character and never extend a text that can no
/// longer match.
/// </summary>
/// <remarks>
/// <para>Syntax: the regular (automaton-friendly) part of .NET's: literals and escapes (<c>\.</c>, <c>\t</c>, <c>\x41</c>,
/// <c>\u0041</c>), <c>.</c> (any character), classes <c>[a-z0-9_]</c> and <c>[^...]</c>, <c>\d \w \s</c> and their
/// negations (with .NET's Unicode meaning, over all code points), groups <c>( )</c>, <c>(?: )</c>, <c>(?&lt;name&gt; )</c>, alternation
/// <c>|</c>, and the quantifiers <c>? * + {n} {n,} {n,m}</c> (lazy forms allowed: they match the same texts). A leading
/// <c>^</c> and a trailing <c>$</c> are accepted and change nothing.</para>
/// <para>Any script: a character is a Unicode code point, so one beyond the BMP (a surrogate pair in .NET strings,
/// or written <c>\uD835\uDFD8</c>) is a single character for <c>.</c>, classes, ranges and quantifiers, unlike in
/// .NET's <see cref="Regex"/>. A model label written with several characters (a letter and its modifier) is
/// matched as that sequence of characters.</para>
/// <para>Refused with an <see cref="ArgumentException"/> naming the construct: anchors or word boundaries elsewhere,
/// back-references, look-arounds, atomic groups, conditionals, inline options, Unicode categories (<c>\p{..}</c>),
/// class subtraction, and counts above <see cref="MaxRepeat"/>; also a pattern that matches no text at all.</para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class CrnnTextPattern
{
    /// <summary>Largest count in <c>{n}</c>, <c>{n,}</c>, <c>{n,m}</c>.</summary>
    public const int MaxRepeat = 1000;

    /// <summary>Largest automaton accepted (states after minimisation).</summary>
    public const int MaxStates = 100_000;

    // Fare keeps a few static settings; building automata from several threads at once is not documented as safe.
    private static readonly Lock s_fareLock = new();

    private CrnnTextPattern(string pattern, Automaton automaton)
    {
        Pattern = pattern;
        Automaton = automaton;
    }

    /// <summary>The pattern as given.</summary>
    public string Pattern { get; }

    /// <summary>The minimal deterministic automaton of the allowed texts (do not change it).</summary>
    internal Automaton Automaton { get; }

    /// <summary>Parses and compiles <paramref name="pattern"/>.</summary>
    /// <exception cref="ArgumentException">The pattern is not valid, uses a construct that is not supported, or matches nothing.</exception>
    public static CrnnTextPattern Parse(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        try
        {
            // .NET's own parser first: its messages for plain syntax errors are the ones users know. It reads UTF-16
            // units, so each character beyond the BMP stands in as one private-use character (else [𝟘-𝟙] is "reversed").
            _ = new Regex(WithBmpStandIns(pattern), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"pattern '{pattern}': not a valid regular expression: {e.Message}", nameof(pattern), e);
        }
        Automaton automaton;
        lock (s_fareLock)
        {
            automaton = new Parser(pattern).ParseWhole();
            automaton.Determinize();
            automaton.Minimize();
            // A literal pattern stays a "singleton" until first read, and the read builds its states: do it here, once.
            automaton.ExpandSingleton();
        }
        if (automaton.IsEmpty || automaton.GetAcceptStates().Count == 0)
            throw new ArgumentException($"pattern '{pattern}': matches no text at all.", nameof(pattern));
        if (automaton.NumberOfStates > MaxStates)
            throw new ArgumentException($"pattern '{pattern}': needs {automaton.NumberOfStates:N0} automaton states, more than the limit of {MaxStates:N0}.", nameof(pattern));
        return new CrnnTextPattern(pattern, automaton);
    }

    private static string WithBmpStandIns(string pattern)
    {
        var b = new System.Text.StringBuilder(pattern.Length);
        for (int i = 0; i < pattern.Length; i++)
        {
            bool pair = char.IsHighSurrogate(pattern[i]) && i + 1 < pattern.Length && char.IsLowSurrogate(pattern[i + 1]);
            b.Append(pair ? '\uE000' : pattern[i]);
            if (pair) i++;
        }
        return b.ToString();
    }

    /// <summary>Whether the whole of <paramref name="text"/> matches.</summary>
    public bool Matches(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var state = Automaton.Initial;
        foreach (char c in text)
        {
            state = state.Step(c);
            if (state is null) return false;
        }
        return state.Accept;
    }

    public override string ToString() => Pattern;

    /// <summary>Recursive-descent parser of the supported subset, building Fare automata directly.</summary>
    private sealed class Parser(string pattern)
    {
        private int _pos;

        private ArgumentException Unsupported(string what, int at) =>
            new($"pattern '{pattern}': {what} (at position {at}) is not supported: the whole text is matched by a finite automaton, so only literals, classes, groups, '|' and quantifiers can be used.", "pattern");

        public Automaton ParseWhole()
        {
            if (Peek('^')) _pos++;
            var result = ParseAlternation();
            if (Peek('$')) _pos++;
            if (_pos < pattern.Length)
            {
                char c = pattern[_pos];
                throw c is '^' or '$' ? Unsupported($"the anchor '{c}' inside the pattern", _pos) : Unsupported($"'{c}'", _pos);
            }
            return result;
        }

        private bool Peek(char c) => _pos < pattern.Length && pattern[_pos] == c;

        private bool AtEnd => _pos >= pattern.Length;

        private Automaton ParseAlternation()
        {
            var branches = new List<Automaton> { ParseConcatenation() };
            while (Peek('|'))
            {
                _pos++;
                branches.Add(ParseConcatenation());
            }
            return branches.Count == 1 ? branches[0] : BasicOperations.Union(branches);
        }

        private Automaton ParseConcatenation()
        {
            var parts = new List<Automaton>();
            while (!AtEnd && !Peek('|') && !Peek(')'))
            {
                // A trailing '$' ends the pattern; anywhere else it is refused by ParseWhole.
                if (Peek('$') && _pos == pattern.Length - 1) break;
                parts.Add(ParseQuantified());
            }
            return parts.Count switch
            {
                0 => BasicAutomata.MakeEmptyString(),
                1 => parts[0],
                _ => BasicOperations.Concatenate(parts),
            };
        }

        private Automaton ParseQuantified()
        {
            var atom = ParseAtom();
            bool quantified = false;
            while (!AtEnd)
            {
                int at = _pos;
                char c = pattern[_pos];
                int min, max; // max < 0: unbounded
                if (c == '?') { min = 0; max = 1; _pos++; }
                else if (c == '*') { min = 0; max = -1; _pos++; }
                else if (c == '+') { min = 1; max = -1; _pos++; }
                else if (c == '{' && TryCount(out min, out max)) { }
                else break;
                // .NET has already refused nested quantifiers such as 'a**'; what remains is the lazy '?'.
                if (quantified) throw Unsupported("a quantifier on a quantifier", at);
                quantified = true;
                if (Peek('?')) _pos++;
                atom = max < 0 ? BasicOperations.Repeat(atom, min)
                    : min == 0 && max == 1 ? BasicOperations.Optional(atom)
                    : BasicOperations.Repeat(atom, min, max);
            }
            return atom;
        }

        // {n}, {n,}, {n,m}; anything else after '{' is a literal '{', as in .NET.
        private bool TryCount(out int min, out int max)
        {
            var m = Regex.Match(pattern[_pos..], @"^\{(\d+)(,(\d*))?\}");
            min = max = 0;
            if (!m.Success) return false;
            if (!int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out min) || min > MaxRepeat)
                throw new ArgumentException($"pattern '{pattern}': the count {m.Value} (at position {_pos}) is above the limit of {MaxRepeat}.", "pattern");
            if (!m.Groups[2].Success) max = min;
            else if (m.Groups[3].Value.Length == 0) max = -1;
            else if (!int.TryParse(m.Groups[3].Value, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max > MaxRepeat)
                throw new ArgumentException($"pattern '{pattern}': the count {m.Value} (at position {_pos}) is above the limit of {MaxRepeat}.", "pattern");
            _pos += m.Length;
            return true;
        }

        private Automaton ParseAtom()
        {
            int at = _pos;
            char c = pattern[_pos++];
            switch (c)
            {
                case '(':
                {
                    if (Peek('?'))
                    {
                        string rest = pattern[_pos..];
                        if (rest.StartsWith("?:", StringComparison.Ordinal)) _pos += 2;
                        else if (Regex.Match(rest, @"^\?(<[A-Za-z_]\w*>|'[A-Za-z_]\w*')") is { Success: true } named) _pos += named.Length;
                        else if (rest.StartsWith("?=", StringComparison.Ordinal) || rest.StartsWith("?!", StringComparison.Ordinal)
                                 || rest.StartsWith("?<=", StringComparison.Ordinal) || rest.StartsWith("?<!", StringComparison.Ordinal))
                            throw Unsupported("a look-around group", at);
                        else if (rest.StartsWith("?>", StringComparison.Ordinal)) throw Unsupported("an atomic group '(?>'", at);
                        else if (rest.StartsWith("?(", StringComparison.Ordinal)) throw Unsupported("a conditional '(?('", at);
                        else if (rest.StartsWith("?#", StringComparison.Ordinal)) throw Unsupported("a comment '(?#'", at);
                        else throw Unsupported("inline options '(?...)' (matching is case-sensitive; list both cases in a class instead)", at);
                    }
                    var inner = ParseAlternation();
                    if (!Peek(')')) throw new ArgumentException($"pattern '{pattern}': expected ')' at position {_pos}.", "pattern");
                    _pos++;
                    return inner;
                }
                case '[':
                    return CharSetAutomaton(ParseClass(at));
                case '.':
                    // .NET's '.' is any character but '\n' (here any code point: a surrogate pair is one character).
                    return CharSetAutomaton(CharSet.Except(CharSet.Of('\n')));
                case '\\':
                    return ParseEscapeOutsideClass(at);
                case '^':
                    throw Unsupported("the anchor '^' inside the pattern", at);
                case '$':
                    throw Unsupported("the anchor '$' inside the pattern", at);
                default:
                    // A character beyond the BMP is one atom, so that a quantifier after it repeats all of it.
                    if (char.IsSurrogate(c)) return BasicAutomata.MakeString(char.ConvertFromUtf32(CodePointAt(at)));
                    return BasicAutomata.MakeChar(c);
            }
        }

        // The code point starting at index at (a surrogate pair counts as one; _pos moves past it).
        private int CodePointAt(int at)
        {
            char c = pattern[at];
            if (!char.IsSurrogate(c)) return c;
            if (char.IsHighSurrogate(c) && at + 1 < pattern.Length && char.IsLowSurrogate(pattern[at + 1]))
            {
                _pos = at + 2;
                return char.ConvertToUtf32(c, pattern[at + 1]);
            }
            throw new ArgumentException($"pattern '{pattern}': a lone surrogate U+{(int)c:X4} at position {at} (not valid UTF-16).", "pattern");
        }

        private Automaton ParseEscapeOutsideClass(int at)
        {
            if (AtEnd) throw new ArgumentException($"pattern '{pattern}': ends with '\\'.", "pattern");
            char e = pattern[_pos];
            switch (e)
            {
                case 'b': throw Unsupported("the word boundary '\\b'", at);
                case 'B': throw Unsupported("'\\B'", at);
                case 'A': case 'z': case 'Z': case 'G': throw Unsupported($"the anchor '\\{e}'", at);
                case 'k': throw Unsupported("a back-reference '\\k'", at);
                case >= '1' and <= '9': throw Unsupported($"a back-reference '\\{e}'", at);
            }
            return CharSetAutomaton(ParseEscape(at, inClass: false));
        }

        // After a '\' (at _pos): a class escape or one character.
        private CharSet ParseEscape(int at, bool inClass)
        {
            char e = pattern[_pos++];
            switch (e)
            {
                case 'd': return CharSet.Digits;
                case 'D': return CharSet.Except(CharSet.Digits);
                case 'w': return CharSet.Word;
                case 'W': return CharSet.Except(CharSet.Word);
                case 's': return CharSet.Space;
                case 'S': return CharSet.Except(CharSet.Space);
                case 'p': case 'P': throw Unsupported($"the Unicode category '\\{e}{{..}}' (list the characters in a class instead)", at);
                case 'c': throw Unsupported("a control character '\\c'", at);
                case 't': return CharSet.Of('\t');
                case 'n': return CharSet.Of('\n');
                case 'r': return CharSet.Of('\r');
                case 'f': return CharSet.Of('\f');
                case 'v': return CharSet.Of('\v');
                case 'a': return CharSet.Of('\a');
                case 'e': return CharSet.Of('\u001B');
                case 'b' when inClass: return CharSet.Of('\b');
                case 'x': return CharSet.Of(Hex(2, at));
                case 'u':
                {
                    // \uD835\uDFD8 (a surrogate pair written as two escapes, as in C#) is one character.
                    int unit = Hex(4, at);
                    if (!char.IsSurrogate((char)unit)) return CharSet.Of(unit);
                    if (char.IsHighSurrogate((char)unit) && _pos + 6 <= pattern.Length && pattern[_pos] == '\\' && pattern[_pos + 1] == 'u'
                        && int.TryParse(pattern.AsSpan(_pos + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int low)
                        && char.IsLowSurrogate((char)low))
                    {
                        _pos += 6;
                        return CharSet.Of(char.ConvertToUtf32((char)unit, (char)low));
                    }
                    throw new ArgumentException($"pattern '{pattern}': a lone surrogate \\u{unit:X4} at position {at} (not valid UTF-16).", "pattern");
                }
                case >= '0' and <= '7' when e == '0' || inClass:
                {
                    // Octal, as .NET reads it: up to three digits.
                    int value = e - '0', n = 1;
                    while (n < 3 && !AtEnd && pattern[_pos] is >= '0' and <= '7') { value = value * 8 + (pattern[_pos++] - '0'); n++; }
                    return CharSet.Of(value & 0xFF);
                }
                default:
                    if (char.IsLetterOrDigit(e)) throw Unsupported($"the escape '\\{e}'", at);
                    return CharSet.Of(e);
            }
        }

        private int Hex(int digits, int at)
        {
            if (_pos + digits > pattern.Length || !int.TryParse(pattern.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int v))
                throw new ArgumentException($"pattern '{pattern}': bad hexadecimal escape at position {at}.", "pattern");
            _pos += digits;
            return v;
        }

        // After '[' (at _pos): the class up to and including ']'.
        private CharSet ParseClass(int at)
        {
            bool negate = Peek('^');
            if (negate) _pos++;
            var set = new List<CharSet>();
            bool first = true;
            while (true)
            {
                if (AtEnd) throw new ArgumentException($"pattern '{pattern}': the class opened at position {at} is not closed.", "pattern");
                char c = pattern[_pos];
                if (c == ']' && !first) { _pos++; break; }
                first = false;
                if (c == '-' && _pos + 1 < pattern.Length && pattern[_pos + 1] == '[')
                    throw Unsupported("class subtraction '-[...]'", _pos);
                int itemAt = _pos;
                var lo = ParseClassItem(out int? loChar);
                // A range a-z; a '-' before ']' is a literal.
                if (loChar is int from && Peek('-') && _pos + 1 < pattern.Length && pattern[_pos + 1] != ']')
                {
                    if (pattern[_pos + 1] == '[') throw Unsupported("class subtraction '-[...]'", _pos);
                    _pos++;
                    ParseClassItem(out int? hiChar);
                    if (hiChar is not int to) throw Unsupported("a range ending in a class escape", itemAt);
                    set.Add(CharSet.Range(from, to));
                }
                else
                {
                    set.Add(lo);
                }
            }
            var union = CharSet.Union(set);
            return negate ? CharSet.Except(union) : union;
        }

        private CharSet ParseClassItem(out int? single)
        {
            int at = _pos;
            char c = pattern[_pos++];
            CharSet s = c == '\\' ? ParseEscape(at, inClass: true) : CharSet.Of(CodePointAt(at));
            single = s.Single;
            return s;
        }

        // One transition per BMP range; code points beyond it as a high-surrogate step then a low-surrogate step.
        private static Automaton CharSetAutomaton(CharSet set)
        {
            if (set.Ranges.Count == 0) return BasicAutomata.MakeEmpty();
            var accept = new State { Accept = true };
            var initial = new State();
            var (units, pairs) = set.ToUtf16();
            foreach (var (lo, hi) in units) initial.AddTransition(new Transition(lo, hi, accept));
            foreach (var (high, low) in pairs)
            {
                var middle = new State();
                initial.AddTransition(new Transition(high.Lo, high.Hi, middle));
                middle.AddTransition(new Transition(low.Lo, low.Hi, accept));
            }
            // Pairs sharing a high surrogate leave the initial state on overlapping transitions.
            return new Automaton { Initial = initial, IsDeterministic = pairs.Count == 0 };
        }
    }
}
