using System.Buffers;
using System.Globalization;
using System.Text;

namespace McpPolicy.Schemas.Scanning;

/// <summary>Checks tool names: the allowed form, a look-alike skeleton for confusable names, and a bounded edit distance.</summary>
internal static class NameInspector
{
    public const int MaxNameLength = 128;

    private static readonly SearchValues<char> Allowed = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-");

    /// <summary>Records <see cref="DefinitionFindingIds.InvalidName"/> when <paramref name="name"/> is not 1–128 characters of [A-Za-z0-9_.-].</summary>
    public static void Check(string name, FindingSink sink, string pointer)
    {
        if (name.Length is >= 1 and <= MaxNameLength && !name.AsSpan().ContainsAnyExcept(Allowed))
        {
            return;
        }

        if (name.Length == 0)
        {
            sink.Add(DefinitionFindingIds.InvalidName, FindingSeverity.Medium, pointer, "the tool name is empty", string.Empty);
            return;
        }

        var bad = name.AsSpan().IndexOfAnyExcept(Allowed);
        var foreign = false;
        foreach (var c in name)
        {
            foreign |= c >= 0x80 || char.IsControl(c);
        }

        var message = bad < 0
            ? string.Create(CultureInfo.InvariantCulture, $"the tool name is {name.Length} characters long; names must be 1 to {MaxNameLength} characters")
            : foreign
                ? "the tool name holds non-ASCII or control characters; names must be 1 to 128 characters of A-Z, a-z, 0-9, '_', '.' and '-'"
                : "the tool name holds characters other than A-Z, a-z, 0-9, '_', '.' and '-'";
        sink.Add(DefinitionFindingIds.InvalidName, foreign ? FindingSeverity.High : FindingSeverity.Medium, pointer, message, VisibleText.Excerpt(name, Math.Max(bad, 0), 1));
    }

    /// <summary>
    /// What a name looks like to a reader: case folded, look-alike letters and digits mapped to one letter ('0' → 'o', '1' and 'I' → 'l',
    /// "rn" → "m", "vv" → "w"), separators made '_', invisible characters dropped. Two different names with the same skeleton are confusable.
    /// </summary>
    public static string Skeleton(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var rune in name.EnumerateRunes())
        {
            if (VisibleText.IsHidden(rune) && rune.Value != ' ')
            {
                continue;
            }

            var v = rune.Value;
            char c;
            if (v == 'I')
            {
                c = 'l';
            }
            else if (Rune.IsLetterOrDigit(rune))
            {
                c = NormalizedText.Fold(rune);
                c = c switch { '0' => 'o', '1' => 'l', '\0' => '?', _ => c };
            }
            else
            {
                c = '_';
            }

            builder.Append(c);
        }

        return builder.Replace("rn", "m").Replace("vv", "w").ToString();
    }

    /// <summary>The Levenshtein distance of two strings when it is at most <paramref name="limit"/>, else <paramref name="limit"/> + 1. O(n · limit).</summary>
    public static int BoundedDistance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit)
        {
            return limit + 1;
        }

        var width = (2 * limit) + 1;
        var previous = new int[width];
        var current = new int[width];
        var big = limit + 1;

        // Band cell k of row i holds column j = i - limit + k.
        for (var k = 0; k < width; k++)
        {
            var j = k - limit;
            previous[k] = j >= 0 && j <= b.Length ? j : big;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            var best = big;
            for (var k = 0; k < width; k++)
            {
                var j = i - limit + k;
                if (j < 0 || j > b.Length)
                {
                    current[k] = big;
                    continue;
                }

                var value = j == 0 ? i : big;
                if (j > 0)
                {
                    var substitute = previous[k] + (a[i - 1] == b[j - 1] ? 0 : 1);
                    var insert = k > 0 ? current[k - 1] + 1 : big;
                    value = Math.Min(substitute, insert);
                }

                var delete = k + 1 < width ? previous[k + 1] + 1 : big;
                value = Math.Min(Math.Min(value, delete), big);
                current[k] = value;
                best = Math.Min(best, value);
            }

            if (best > limit)
            {
                return big;
            }

            (previous, current) = (current, previous);
        }

        var last = b.Length - a.Length + limit;
        return last >= 0 && last < width ? Math.Min(previous[last], big) : big;
    }
}
