using System.Buffers;
using System.Globalization;
using System.Text;

namespace McpPolicy.Chains.Inspection;

/// <summary>
/// Finds and removes or makes visible the characters that let text hide from a reader or rewrite a terminal: escape sequences,
/// control characters, bidi controls, zero-width and other invisible format characters, Unicode tag characters and lone
/// surrogates. One pass, linear in the text; the input string is returned as it is (no allocation) when nothing is unsafe.
/// </summary>
/// <remarks>
/// The unsafe set (see docs/result-inspection.md for why each is in or out):
/// C0 controls except tab, line feed and carriage return; DEL; C1 controls U+0080–U+009F; U+061C; U+115F, U+1160, U+3164,
/// U+FFA0 (Hangul fillers); U+17B4, U+17B5; U+180E; U+200B; U+200E, U+200F; U+202A–U+202E; U+2060–U+206F; U+FEFF;
/// U+FFF9–U+FFFB; U+FFFE, U+FFFF; U+1BCA0–U+1BCA3; U+1D173–U+1D17A; U+E0000–U+E007F (tags); U+E0100–U+E01EF; lone surrogates.
/// Context decides for U+200C, U+200D (safe only between two non-ASCII letters, marks or symbols, as in emoji and scripts that
/// need joiners) and U+FE00–U+FE0F (safe only right after a visible character that is not itself a selector or joiner).
/// </remarks>
internal static class UnsafeText
{
    private const char Esc = '\u001B';

    // Built from IsUnsafeCandidate, so the comparisons and the search agree by construction.
    private static readonly SearchValues<char> Candidates = SearchValues.Create(AllCandidates());

    private enum Kind : byte
    {
        Safe,
        Escape,
        Control,
        Format,
    }

    /// <summary>
    /// True when <paramref name="c"/> might start something unsafe (the scan stops there). Surrogates are candidates because the
    /// unsafe supplementary ranges and lone surrogates are found through them; a valid, safe pair costs one look and is skipped.
    /// </summary>
    public static bool IsUnsafeCandidate(char c)
    {
        if (c < '\u0600')
        {
            return c < '\u0020' ? c is not ('\t' or '\n' or '\r') : c is >= '\u007F' and <= '\u009F';
        }

        return c switch
        {
            '\u061C' or '\u115F' or '\u1160' or '\u17B4' or '\u17B5' or '\u180E' or '\u3164' or '\uFEFF' or '\uFFA0' or '\uFFFE' or '\uFFFF' => true,
            >= '\u200B' and <= '\u200F' => true,
            >= '\u202A' and <= '\u202E' => true,
            >= '\u2060' and <= '\u206F' => true,
            >= '\uD800' and <= '\uDFFF' => true,
            >= '\uFE00' and <= '\uFE0F' => true,
            >= '\uFFF9' and <= '\uFFFB' => true,
            _ => false,
        };
    }

    /// <summary>The index of the first candidate in <paramref name="text"/>, or -1 (a vectorized search).</summary>
    internal static int IndexOfCandidate(ReadOnlySpan<char> text) => text.IndexOfAny(Candidates);

    private static string AllCandidates()
    {
        var chars = new StringBuilder();
        for (var c = 0; c <= char.MaxValue; c++)
        {
            if (IsUnsafeCandidate((char)c))
            {
                chars.Append((char)c);
            }
        }

        return chars.ToString();
    }

    /// <summary>True when sanitizing <paramref name="text"/> would change it.</summary>
    public static bool NeedsChange(ReadOnlySpan<char> text, UnsafeTextHandling handling)
    {
        var i = IndexOfCandidate(text);
        var noTerminatorAhead = false;
        while (i >= 0 && i < text.Length)
        {
            if (Classify(text, i, handling, -1, ref noTerminatorAhead, out var length) != Kind.Safe)
            {
                return true;
            }

            i += length;
            var next = IndexOfCandidate(text[i..]);
            i = next < 0 ? -1 : i + next;
        }

        return false;
    }

    /// <summary>Sanitizes <paramref name="text"/>; returns the same instance when nothing is unsafe.</summary>
    public static string Sanitize(string text, UnsafeTextHandling handling, ref InspectionTally tally)
    {
        var first = IndexOfCandidate(text);
        return first < 0 ? text : Sanitize(text.AsSpan(), first, handling, ref tally) ?? text;
    }

    /// <summary>Sanitizes <paramref name="text"/>; returns null when nothing is unsafe.</summary>
    public static string? Sanitize(ReadOnlySpan<char> text, UnsafeTextHandling handling, ref InspectionTally tally)
    {
        var first = IndexOfCandidate(text);
        return first < 0 ? null : Sanitize(text, first, handling, ref tally);
    }

    private static string? Sanitize(ReadOnlySpan<char> text, int first, UnsafeTextHandling handling, ref InspectionTally tally)
    {
        StringBuilder? builder = null;
        var flushed = 0;
        var i = first;
        var noTerminatorAhead = false;
        var removedEnd = -1;
        while (i < text.Length)
        {
            var kind = Classify(text, i, handling, removedEnd, ref noTerminatorAhead, out var length);
            if (kind != Kind.Safe)
            {
                builder ??= new StringBuilder(text.Length + 32);
                builder.Append(text[flushed..i]);
                switch (kind)
                {
                    case Kind.Escape:
                        tally.EscapeSequences++;
                        break;
                    case Kind.Control:
                        tally.ControlCharacters++;
                        break;
                    default:
                        tally.FormatCharacters++;
                        break;
                }

                if (handling == UnsafeTextHandling.MakeVisible)
                {
                    AppendVisible(builder, text, i, kind);
                }
                else
                {
                    removedEnd = i + length;
                }

                flushed = i + length;
            }

            i += length;
            var next = i < text.Length ? IndexOfCandidate(text[i..]) : -1;
            if (next < 0)
            {
                break;
            }

            i += next;
        }

        if (builder is null)
        {
            return null;
        }

        builder.Append(text[flushed..]);
        return builder.ToString();
    }

    /// <summary>
    /// Judges the candidate at <paramref name="i"/>. <paramref name="length"/> is how many units it covers: the whole escape
    /// sequence under <see cref="UnsafeTextHandling.Remove"/>, only the introducing character under
    /// <see cref="UnsafeTextHandling.MakeVisible"/> (the rest of the sequence is printable and stays as text). A joiner or selector
    /// right after removed text (<paramref name="removedEnd"/>) is unsafe: the character it attached to is gone, and judging it
    /// the same way on a second pass keeps sanitizing idempotent.
    /// </summary>
    private static Kind Classify(ReadOnlySpan<char> s, int i, UnsafeTextHandling handling, int removedEnd, ref bool noTerminatorAhead, out int length)
    {
        var c = s[i];
        length = 1;
        if (c == Esc)
        {
            if (handling == UnsafeTextHandling.Remove)
            {
                length = EscapeSequenceLength(s, i, ref noTerminatorAhead);
            }

            return Kind.Escape;
        }

        if (c is >= '\u0080' and <= '\u009F')
        {
            if (c is not ('\u009B' or '\u009D' or '\u0090' or '\u0098' or '\u009E' or '\u009F'))
            {
                return Kind.Control;
            }

            if (handling == UnsafeTextHandling.Remove)
            {
                length = c == '\u009B' ? ControlSequenceEnd(s, i + 1) - i : ControlStringLength(s, i, i + 1, ref noTerminatorAhead);
            }

            return Kind.Escape;
        }

        if (c < '\u0020' || c == '\u007F')
        {
            return Kind.Control;
        }

        if (char.IsHighSurrogate(c))
        {
            if (i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                length = 2;
                return IsUnsafeSupplementary(char.ConvertToUtf32(c, s[i + 1])) ? Kind.Format : Kind.Safe;
            }

            return Kind.Format;
        }

        if (char.IsLowSurrogate(c))
        {
            // A low surrogate reached on its own: the pair case is consumed from its high half.
            return Kind.Format;
        }

        if (c is '\u200C' or '\u200D')
        {
            return i > 0 && i != removedEnd && i + 1 < s.Length && JoinsOnLeft(s, i - 1) && JoinsOnRight(s, i + 1) ? Kind.Safe : Kind.Format;
        }

        if (c is >= '\uFE00' and <= '\uFE0F')
        {
            return i != removedEnd && SelectorIsSafe(s, i) ? Kind.Safe : Kind.Format;
        }

        return Kind.Format;
    }

    private static bool IsUnsafeSupplementary(int codePoint)
        => codePoint is (>= 0xE0000 and <= 0xE007F) or (>= 0xE0100 and <= 0xE01EF) or (>= 0x1D173 and <= 0x1D17A) or (>= 0x1BCA0 and <= 0x1BCA3);

    /// <summary>A variation selector is safe directly after a visible character that is not itself a selector, joiner or space.</summary>
    private static bool SelectorIsSafe(ReadOnlySpan<char> s, int i)
    {
        if (i == 0)
        {
            return false;
        }

        var b = s[i - 1];
        if (char.IsLowSurrogate(b))
        {
            return i >= 2 && char.IsHighSurrogate(s[i - 2]) && !IsUnsafeSupplementary(char.ConvertToUtf32(s[i - 2], b));
        }

        return !char.IsWhiteSpace(b) && !char.IsControl(b) && !IsUnsafeCandidate(b);
    }

    private static bool JoinsOnLeft(ReadOnlySpan<char> s, int k)
    {
        var c = s[k];
        if (char.IsLowSurrogate(c))
        {
            return k > 0 && char.IsHighSurrogate(s[k - 1]) && !IsUnsafeSupplementary(char.ConvertToUtf32(s[k - 1], c));
        }

        return c is >= '\uFE00' and <= '\uFE0F' ? SelectorIsSafe(s, k) : IsJoinable(c);
    }

    private static bool JoinsOnRight(ReadOnlySpan<char> s, int k)
    {
        var c = s[k];
        if (char.IsHighSurrogate(c))
        {
            return k + 1 < s.Length && char.IsLowSurrogate(s[k + 1]) && !IsUnsafeSupplementary(char.ConvertToUtf32(c, s[k + 1]));
        }

        return IsJoinable(c);
    }

    /// <summary>A non-ASCII letter, mark or symbol that is not itself a candidate: what joiners legitimately sit between.</summary>
    private static bool IsJoinable(char c)
    {
        if (c < '\u0080' || IsUnsafeCandidate(c))
        {
            return false;
        }

        return char.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
            or UnicodeCategory.EnclosingMark or UnicodeCategory.OtherSymbol;
    }

    /// <summary>The length of the escape sequence that starts with ESC at <paramref name="i"/> (at least 1).</summary>
    private static int EscapeSequenceLength(ReadOnlySpan<char> s, int i, ref bool noTerminatorAhead)
    {
        var j = i + 1;
        if (j >= s.Length)
        {
            return 1;
        }

        var c = s[j];
        if (c == '[')
        {
            return ControlSequenceEnd(s, j + 1) - i;
        }

        if (c is ']' or 'P' or 'X' or '^' or '_')
        {
            return ControlStringLength(s, i, j + 1, ref noTerminatorAhead);
        }

        // nF: intermediates then a final byte; Fp, Fe, Fs: one final byte. A sequence cut short loses what was read of it.
        while (j < s.Length && s[j] is >= '\u0020' and <= '\u002F')
        {
            j++;
        }

        return j < s.Length && s[j] is >= '\u0030' and <= '\u007E' ? j + 1 - i : j - i;
    }

    /// <summary>Where a CSI body starting at <paramref name="p"/> ends: parameters, intermediates, then a final byte when present.</summary>
    private static int ControlSequenceEnd(ReadOnlySpan<char> s, int p)
    {
        while (p < s.Length && s[p] is >= '\u0030' and <= '\u003F')
        {
            p++;
        }

        while (p < s.Length && s[p] is >= '\u0020' and <= '\u002F')
        {
            p++;
        }

        return p < s.Length && s[p] is >= '\u0040' and <= '\u007E' ? p + 1 : p;
    }

    /// <summary>
    /// The length of an OSC, DCS, SOS, PM or APC string from its introducer at <paramref name="start"/> through its terminator
    /// (BEL, ESC \ or ST). An unterminated string loses only its introducer, so content cannot hide everything after it; once a
    /// search has failed no later one can succeed, which keeps many unterminated introducers linear.
    /// </summary>
    private static int ControlStringLength(ReadOnlySpan<char> s, int start, int body, ref bool noTerminatorAhead)
    {
        if (!noTerminatorAhead)
        {
            var p = body;
            while (p < s.Length)
            {
                var hit = s[p..].IndexOfAny('\u0007', '\u009C', Esc);
                if (hit < 0)
                {
                    break;
                }

                p += hit;
                if (s[p] != Esc)
                {
                    return p + 1 - start;
                }

                if (p + 1 < s.Length && s[p + 1] == '\\')
                {
                    return p + 2 - start;
                }

                p++;
            }

            noTerminatorAhead = true;
        }

        return body - start;
    }

    private static void AppendVisible(StringBuilder builder, ReadOnlySpan<char> s, int i, Kind kind)
    {
        var c = s[i];
        if (kind is Kind.Escape or Kind.Control)
        {
            builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            return;
        }

        var codePoint = char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? char.ConvertToUtf32(c, s[i + 1]) : c;
        builder.Append("<U+").Append(codePoint.ToString("X4", CultureInfo.InvariantCulture)).Append('>');
    }
}
