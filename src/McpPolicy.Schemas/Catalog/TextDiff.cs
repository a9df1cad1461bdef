using System.Text;

namespace McpPolicy.Schemas;

/// <summary>
/// A word-level diff of two texts for a reviewer: unchanged words as they are, removed words as <c>[-old words-]</c>, added words as
/// <c>{+new words+}</c>; long unchanged stretches are shortened to their first and last words around <c>…</c>.
/// </summary>
internal static class TextDiff
{
    /// <summary>Above this many word pairs the diff falls back to the changed middle after the common prefix and suffix.</summary>
    private const int MaxCells = 400_000;

    private const int Context = 6;

    public static string Render(string? before, string? after)
    {
        var a = Words(before ?? "");
        var b = Words(after ?? "");

        // Common prefix and suffix first: descriptions usually change in one place.
        var prefix = 0;
        while (prefix < a.Count && prefix < b.Count && a[prefix] == b[prefix])
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < a.Count - prefix && suffix < b.Count - prefix && a[a.Count - 1 - suffix] == b[b.Count - 1 - suffix])
        {
            suffix++;
        }

        var ops = new List<(char Op, string Word)>(a.Count + b.Count);
        for (var i = 0; i < prefix; i++)
        {
            ops.Add(('=', a[i]));
        }

        var midA = a.GetRange(prefix, a.Count - prefix - suffix);
        var midB = b.GetRange(prefix, b.Count - prefix - suffix);
        if ((long)midA.Count * midB.Count <= MaxCells)
        {
            Lcs(midA, midB, ops);
        }
        else
        {
            midA.ForEach(w => ops.Add(('-', w)));
            midB.ForEach(w => ops.Add(('+', w)));
        }

        for (var i = a.Count - suffix; i < a.Count; i++)
        {
            ops.Add(('=', a[i]));
        }

        return Format(ops);
    }

    private static List<string> Words(string text)
    {
        var words = new List<string>();
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            words.Add(word);
        }

        return words;
    }

    private static void Lcs(List<string> a, List<string> b, List<(char, string)> ops)
    {
        var n = a.Count;
        var m = b.Count;
        var table = new int[(n + 1) * (m + 1)];
        for (var i = n - 1; i >= 0; i--)
        {
            for (var j = m - 1; j >= 0; j--)
            {
                table[(i * (m + 1)) + j] = a[i] == b[j]
                    ? table[((i + 1) * (m + 1)) + j + 1] + 1
                    : Math.Max(table[((i + 1) * (m + 1)) + j], table[(i * (m + 1)) + j + 1]);
            }
        }

        int x = 0, y = 0;
        while (x < n && y < m)
        {
            if (a[x] == b[y])
            {
                ops.Add(('=', a[x++]));
                y++;
            }
            else if (table[((x + 1) * (m + 1)) + y] >= table[(x * (m + 1)) + y + 1])
            {
                ops.Add(('-', a[x++]));
            }
            else
            {
                ops.Add(('+', b[y++]));
            }
        }

        while (x < n)
        {
            ops.Add(('-', a[x++]));
        }

        while (y < m)
        {
            ops.Add(('+', b[y++]));
        }
    }

    private static string Format(List<(char Op, string Word)> ops)
    {
        var sb = new StringBuilder();
        var i = 0;
        while (i < ops.Count)
        {
            var op = ops[i].Op;
            var end = i;
            while (end < ops.Count && ops[end].Op == op)
            {
                end++;
            }

            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            if (op == '=')
            {
                var count = end - i;
                var head = i == 0 ? 0 : Context;
                var tail = end == ops.Count ? 0 : Context;
                if (count > head + tail + 1)
                {
                    AppendWords(sb, ops, i, i + head);
                    if (head > 0)
                    {
                        sb.Append(' ');
                    }

                    sb.Append('…');
                    if (tail > 0)
                    {
                        sb.Append(' ');
                    }

                    AppendWords(sb, ops, end - tail, end);
                }
                else
                {
                    AppendWords(sb, ops, i, end);
                }
            }
            else
            {
                sb.Append(op == '-' ? "[-" : "{+");
                AppendWords(sb, ops, i, end);
                sb.Append(op == '-' ? "-]" : "+}");
            }

            i = end;
        }

        return sb.ToString();
    }

    private static void AppendWords(StringBuilder sb, List<(char Op, string Word)> ops, int from, int to)
    {
        for (var k = from; k < to; k++)
        {
            if (k > from)
            {
                sb.Append(' ');
            }

            AppendVisible(sb, ops[k].Word);
        }
    }

    /// <summary>Appends text with control, format (zero-width, bidi) and private-use characters shown as <c>\u{XXXX}</c>.</summary>
    internal static void AppendVisible(StringBuilder sb, string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format
                or System.Globalization.UnicodeCategory.PrivateUse or System.Globalization.UnicodeCategory.OtherNotAssigned or System.Globalization.UnicodeCategory.Surrogate)
            {
                sb.Append("\\u{").Append(rune.Value.ToString("X4", System.Globalization.CultureInfo.InvariantCulture)).Append('}');
            }
            else
            {
                sb.Append(rune.ToString());
            }
        }
    }

    /// <summary>The text with hidden characters made visible (see <see cref="AppendVisible"/>).</summary>
    internal static string Visible(string text)
    {
        var sb = new StringBuilder(text.Length);
        AppendVisible(sb, text);
        return sb.ToString();
    }
}
