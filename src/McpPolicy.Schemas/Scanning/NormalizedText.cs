using System.Globalization;
using System.Text;

namespace McpPolicy.Schemas.Scanning;

/// <summary>
/// A string reduced to what its words say: letters and digits in lower case (look-alike letters from other scripts and full-width forms
/// mapped to ASCII), apostrophes dropped, invisible characters removed, everything else collapsed to single spaces, with a space at both
/// ends. Hidden characters inside a word therefore do not split it, and phrases match whole words only. Linear in the input.
/// </summary>
internal readonly struct NormalizedText
{
    private readonly int[] _map;

    private NormalizedText(string text, int[] map)
    {
        Text = text;
        _map = map;
    }

    /// <summary>The normalized text.</summary>
    public string Text { get; }

    /// <summary>Normalizes <paramref name="source"/>.</summary>
    public static NormalizedText From(string source)
    {
        var chars = new char[source.Length + 2];
        var map = new int[source.Length + 2];
        var n = 0;
        chars[n] = ' ';
        map[n++] = 0;
        var i = 0;
        while (i < source.Length)
        {
            if (Rune.DecodeFromUtf16(source.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                rune = Rune.ReplacementChar;
                consumed = 1;
            }

            var v = rune.Value;
            if (v is '\'' or '\u2019' or '\u2018' or '\u02BC' or '`' || (v != ' ' && v != '\t' && v != '\n' && v != '\r' && VisibleText.IsHidden(rune) && !Rune.IsWhiteSpace(rune)))
            {
                // Dropped: "don't" reads as "dont", and a zero-width character inside a word leaves the word whole.
            }
            else if (Rune.IsLetterOrDigit(rune))
            {
                var c = Fold(rune);
                if (c != '\0' && n < chars.Length)
                {
                    chars[n] = c;
                    map[n++] = i;
                }
                else if (n < chars.Length && chars[n - 1] != ' ')
                {
                    chars[n] = ' ';
                    map[n++] = i;
                }
            }
            else if (chars[n - 1] != ' ' && n < chars.Length)
            {
                chars[n] = ' ';
                map[n++] = i;
            }

            i += consumed;
        }

        if (chars[n - 1] != ' ')
        {
            chars[n] = ' ';
            map[n++] = source.Length;
        }

        return new NormalizedText(new string(chars, 0, n), map);
    }

    /// <summary>Maps a match in the normalized text (including its padding spaces) back to the source: start and length.</summary>
    public (int Start, int Length) ToSource(int index, int length)
    {
        var first = Math.Min(index + 1, Text.Length - 1);
        var last = Math.Max(first, index + length - 2);
        var start = _map[first];
        var end = _map[Math.Min(last, Text.Length - 1)] + 1;
        return (start, Math.Max(1, end - start));
    }

    /// <summary>Lower-cases a letter or digit, mapping look-alikes and compatibility forms to ASCII; '\0' for a character outside the BMP.</summary>
    internal static char Fold(Rune rune)
    {
        var v = rune.Value;
        if (v < 0x80)
        {
            return char.ToLowerInvariant((char)v);
        }

        var mapped = Confusable(char.ToLowerInvariant(rune.IsBmp ? (char)v : '\0'));
        if (mapped != '\0')
        {
            return mapped;
        }

        // Full-width and mathematical letters: NFKC gives the ASCII letter.
        var compatible = rune.ToString().Normalize(NormalizationForm.FormKC);
        if (compatible.Length == 1 && compatible[0] < 0x80 && char.IsLetterOrDigit(compatible[0]))
        {
            return char.ToLowerInvariant(compatible[0]);
        }

        return rune.IsBmp ? char.ToLower((char)v, CultureInfo.InvariantCulture) : '\0';
    }

    /// <summary>The ASCII letter a lower-case Cyrillic or Greek letter is commonly mistaken for, or '\0'.</summary>
    internal static char Confusable(char c) => c switch
    {
        'а' or 'α' => 'a',
        'в' or 'β' or 'ь' => 'b',
        'с' or 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' or 'ε' or 'ё' => 'e',
        'ɡ' => 'g',
        'һ' or 'н' => 'h',
        'і' or 'ι' or 'ı' => 'i',
        'ј' or 'ϳ' => 'j',
        'к' or 'κ' => 'k',
        'ӏ' => 'l',
        'м' => 'm',
        'п' or 'η' => 'n',
        'о' or 'ο' or 'σ' => 'o',
        'р' or 'ρ' => 'p',
        'ԛ' => 'q',
        'г' => 'r',
        'ѕ' => 's',
        'т' or 'τ' => 't',
        'υ' or 'ц' => 'u',
        'ν' or 'ѵ' => 'v',
        'ԝ' or 'ω' or 'ш' => 'w',
        'х' or 'χ' => 'x',
        'у' or 'γ' => 'y',
        'ᴢ' => 'z',
        _ => '\0',
    };
}
