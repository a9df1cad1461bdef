using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;

namespace McpPolicy.Chains.Tests.Flows;

public sealed class TaintTextTests
{
    // Printable ASCII (with the characters JSON escapes), double spaces, white space JSON must escape, other scripts, a
    // surrogate pair, invisible characters: raw UTF-8 values take the one-pass ASCII path or the decode-then-normalize path.
    private static readonly string[] Pieces =
    [
        "a", "Q", "z", "7", " ", "  ", "   ", "~", "\"", "\\", "/", "<", "&", "+", "Hello World", "A  B", "\t", "\n", "\r\n", "\u0007",
        "\u007f", "\u00a0", "\u00e9", "\u00c9", "\u0130", "\u65e5", "\u2003", "\u200B", "\u202E", "\U0001F600",
    ];

    private static readonly string[] Numbers = ["0", "-12", "3.14159265358979", "12345678901234567890123", "-1.5E+300", "6.02e23"];

    private static readonly string[] Keys = ["body", "to", "a/b~c", "\u65e5", "k"];

    /// <summary>Writes non-ASCII characters as they are (UTF-8), so values take the decoding path rather than the escaped one.</summary>
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed record Leaf(string Text, bool IsNumber, bool Escaped);

    [Fact]
    public void Walking_normalized_text_equals_normalizing_what_the_plain_walk_passes()
    {
        // Half the strings printable ASCII only (the one-pass path), half from every piece.
        var text = Gen.OneOf(Gen.Elements(Pieces).ArrayOf(), Gen.Elements(Pieces.Where(p => p.All(c => c is >= ' ' and <= '~')).ToArray()).ArrayOf()).Select(string.Concat);
        var leaf =
            from kind in Gen.Choose(0, 5)
            from s in text
            from number in Gen.Elements(Numbers)
            from escaped in Gen.Elements(true, false)
            select kind == 0 ? new Leaf(number, true, false) : new Leaf(s, false, escaped);
        var cases =
            from minLength in Gen.Choose(4, 20)
            from leaves in leaf.ArrayOf()
            from shape in Gen.Choose(0, int.MaxValue)
            from stopAt in Gen.Choose(0, 6)
            select (minLength, json: Json(leaves, shape), stopAt);

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            using var document = JsonDocument.Parse(c.json);
            var (expected, expectedStop) = ByPlainWalk(document.RootElement, c.minLength, c.stopAt);
            var (actual, actualStop) = ByNormalizedWalk(document.RootElement, c.minLength, c.stopAt);
            return expectedStop == actualStop && expected.SequenceEqual(actual);
        }));
    }

    [Theory]
    [InlineData("\"Hello  WORLD   again\"", "hello world again")]
    [InlineData("\"  Leading spaces\"", " leading spaces")]
    [InlineData("\"line\\nbreak \\u00C9T\\u00c9\"", "line break été")]
    [InlineData("\"caf\u00c9\u200B  au\u00a0lait\"", "café au lait")]
    [InlineData("12345678901234567890", "12345678901234567890")]
    [InlineData("-1.5E+300", "-1.5e+300")]
    public void A_value_is_normalized_like_its_decoded_text(string json, string normalized)
    {
        using var document = JsonDocument.Parse(json);
        var (texts, _) = ByNormalizedWalk(document.RootElement, 4, 0);
        Assert.Equal([(normalized, "")], texts);
    }

    [Theory]
    [InlineData(1030, false)]
    [InlineData(1030, true)]
    [InlineData(5000, false)]
    public void A_value_longer_than_the_stack_buffer_is_normalized_the_same(int length, bool nonAscii)
    {
        var sb = new StringBuilder();
        for (var i = 0; sb.Length < length; i++)
        {
            sb.Append(nonAscii && i % 7 == 0 ? "\u00c9" : "Ab").Append(i % 5 == 0 ? "  " : " ");
        }

        var json = "{\"body\":[1," + JsonSerializer.Serialize(sb.ToString(), Relaxed) + "]}";
        using var document = JsonDocument.Parse(json);

        var (actual, _) = ByNormalizedWalk(document.RootElement, 12, 0);

        Assert.Equal([(TaintText.Normalize(sb.ToString()), "/body/1")], actual);
    }

    [Fact]
    public void Values_shorter_than_the_minimum_are_skipped_by_their_decoded_length()
    {
        // Five decoded characters in ten UTF-8 bytes: too short for a minimum of six, although the raw value is longer.
        using var document = JsonDocument.Parse("[\"\u00e9\u00e9\u00e9\u00e9\u00e9\", \"abcdef\", \"abcde\"]");

        var (actual, _) = ByNormalizedWalk(document.RootElement, 6, 0);

        Assert.Equal([("abcdef", "/1")], actual);
    }

    /// <summary>What the flow check scanned before the one-pass walk: the plain walk's text, skipped when short, then normalized.</summary>
    private static (List<(string Text, string Path)> Texts, bool Stopped) ByPlainWalk(JsonElement root, int minLength, int stopAt)
    {
        var state = (Texts: new List<(string, string)>(), MinLength: minLength, StopAt: stopAt);
        var stopped = TaintText.Walk(root, [], ref state, static (ReadOnlySpan<char> text, List<PathSegment> path, ref (List<(string, string)> Texts, int MinLength, int StopAt) s) =>
        {
            if (text.Length < s.MinLength)
            {
                return false;
            }

            s.Texts.Add((TaintText.Normalize(text.ToString()), path.Count == 0 ? "" : TaintText.PointerSuffix(path)));
            return s.Texts.Count == s.StopAt;
        });
        return (state.Texts, stopped);
    }

    private static (List<(string Text, string Path)> Texts, bool Stopped) ByNormalizedWalk(JsonElement root, int minLength, int stopAt)
    {
        var state = (Texts: new List<(string, string)>(), StopAt: stopAt);
        var stopped = TaintText.WalkNormalized(root, minLength, [], ref state, static (ReadOnlySpan<char> normalized, List<PathSegment> path, ref (List<(string, string)> Texts, int StopAt) s) =>
        {
            s.Texts.Add((normalized.ToString(), path.Count == 0 ? "" : TaintText.PointerSuffix(path)));
            return s.Texts.Count == s.StopAt;
        });
        return (state.Texts, stopped);
    }

    /// <summary>The leaves nested in objects and arrays as <paramref name="shape"/> picks; strings written raw (UTF-8, only what JSON requires escaped) or fully escaped.</summary>
    private static string Json(Leaf[] leaves, int shape)
    {
        var random = new Random(shape);
        var sb = new StringBuilder();
        var next = 0;
        Value(sb, leaves, ref next, random, 0);
        return sb.ToString();
    }

    private static void Value(StringBuilder sb, Leaf[] leaves, ref int next, Random random, int depth)
    {
        var kind = next >= leaves.Length ? 0 : depth >= 3 ? 3 : random.Next(1, 5);
        switch (kind)
        {
            case 0:
                sb.Append(random.Next(2) == 0 ? "null" : "true");
                break;
            case 1 when random.Next(8) == 0:
                sb.Append("null");
                break;
            case 1:
                sb.Append('{');
                for (var i = random.Next(4); i > 0; i--)
                {
                    sb.Append(JsonSerializer.Serialize(Keys[random.Next(Keys.Length)] + i)).Append(':');
                    Value(sb, leaves, ref next, random, depth + 1);
                    sb.Append(i > 1 ? "," : "");
                }

                sb.Append('}');
                break;
            case 2:
                sb.Append('[');
                for (var i = random.Next(4); i > 0; i--)
                {
                    Value(sb, leaves, ref next, random, depth + 1);
                    sb.Append(i > 1 ? "," : "");
                }

                sb.Append(']');
                break;
            default:
                var leaf = leaves[next++];
                if (leaf.IsNumber)
                {
                    sb.Append(leaf.Text);
                }
                else if (leaf.Escaped)
                {
                    sb.Append(JsonSerializer.Serialize(leaf.Text));
                }
                else
                {
                    sb.Append('"');
                    foreach (var c in leaf.Text)
                    {
                        _ = c switch
                        {
                            '"' => sb.Append("\\\""),
                            '\\' => sb.Append("\\\\"),
                            < ' ' => sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)),
                            _ => sb.Append(c),
                        };
                    }

                    sb.Append('"');
                }

                break;
        }
    }
}
