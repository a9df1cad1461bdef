using System.Globalization;
using System.Text;

namespace McpPolicy.Schemas.Scanning;

/// <summary>Renders text for people: hidden, control and format characters become <c>&lt;U+XXXX&gt;</c>, and excerpts are cut short.</summary>
internal static class VisibleText
{
    /// <summary>Characters of context kept on each side of a finding.</summary>
    private const int Context = 40;

    /// <summary>The most source characters an excerpt covers.</summary>
    private const int MaxSource = 120;

    /// <summary>An excerpt of <paramref name="text"/> around [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>).</summary>
    public static string Excerpt(string text, int start, int length)
    {
        start = Math.Clamp(start, 0, text.Length);
        length = Math.Clamp(length, 0, text.Length - start);
        var from = Math.Max(0, start - Context);
        var to = Math.Min(text.Length, start + Math.Min(length, MaxSource - Context) + Context);
        if (from > 0 && char.IsLowSurrogate(text[from]))
        {
            from--;
        }

        if (to < text.Length && char.IsLowSurrogate(text[to]))
        {
            to++;
        }

        var builder = new StringBuilder(to - from + 16);
        if (from > 0)
        {
            builder.Append('…');
        }

        Append(builder, text.AsSpan(from, to - from));
        if (to < text.Length)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }

    /// <summary>The whole of a short text (at most <paramref name="max"/> characters), made visible.</summary>
    public static string Show(string text, int max = 80)
    {
        var builder = new StringBuilder(Math.Min(text.Length, max) + 8);
        Append(builder, text.AsSpan(0, Math.Min(text.Length, max)));
        if (text.Length > max)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }

    /// <summary>Appends <paramref name="text"/> with every invisible character written as its code point.</summary>
    public static void Append(StringBuilder builder, ReadOnlySpan<char> text)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                builder.Append(CultureInfo.InvariantCulture, $"<U+{(int)text[i]:X4}>");
                i++;
                continue;
            }

            if (rune.Value == ' ' || !IsHidden(rune))
            {
                builder.Append(text.Slice(i, consumed));
            }
            else
            {
                builder.Append(CultureInfo.InvariantCulture, $"<U+{rune.Value:X4}>");
            }

            i += consumed;
        }
    }

    /// <summary>True for characters a reader would not see as themselves: controls, format characters, separators other than space, tags, variation selectors.</summary>
    public static bool IsHidden(Rune rune)
    {
        var category = Rune.GetUnicodeCategory(rune);
        return category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse
            || rune.Value is (>= 0xFE00 and <= 0xFE0F) or (>= 0xE0100 and <= 0xE01EF) or 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x034F or 0x17B4 or 0x17B5 or 0x2800;
    }
}
