using FsCheck;
using FsCheck.Fluent;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpPolicy.Chains.Inspection;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Chains.Tests.Inspection;

public sealed class UnsafeTextPropertyTests
{
    private const int Cases = 1000;

    // Pieces of legitimate text: ASCII, white space, other scripts, emoji with their joiners and selectors.
    private static readonly string[] Benign =
    [
        "a", "Z", "7", " ", "\t", "\n", "\r\n", "<", ">", "\\", "[", "]", "m", ";", "\u00e9", "\u00df", "\u65e5", "\u0627\u0644",
        "\U0001F600", "\U0001F468\u200D\U0001F469", "\u2764\uFE0F", "\u0645\u200C\u06cc", "1\uFE0F\u20E3", "\U0001F44D\U0001F3FD",
    ];

    // Pieces that must be caught, and pieces that only look like part of an escape sequence.
    private static readonly string[] Unsafe =
    [
        "\u001b", "\u001b[", "\u001b]", "\u001bP", "\u001b\\", "\u0007", "\u009b", "\u009c", "\u009d", "\u0085", "\u0000", "\u0008",
        "\u007f", "\u000b", "\u202E", "\u202A", "\u2066", "\u2069", "\u200E", "\u200F", "\u061C", "\u200B", "\u200C", "\u200D",
        "\u2060", "\uFEFF", "\uFE0F", "\uFE00", "\U000E0041", "\U000E007F", "\U000E0100", "\uD800", "\uDBFF", "\uDC00", "\uDFFF",
        "\u3164", "\u180E", "\U0001D173", "\uFFFE", "31m", "0;", "?25l",
    ];

    private static readonly Gen<string> BenignText =
        Gen.Elements(Benign).ArrayOf().Select(string.Concat);

    private static readonly Gen<string> MixedText =
        Gen.Frequency((3, Gen.Elements(Benign)), (2, Gen.Elements(Unsafe))).ArrayOf().Select(string.Concat);

    private static void Holds<T>(Gen<T> gen, Func<T, bool> property)
        => Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases), Prop.ForAll(gen.ToArbitrary(), property));

    private static string Sanitize(string text, UnsafeTextHandling handling)
    {
        var tally = default(InspectionTally);
        return UnsafeText.Sanitize(text, handling, ref tally);
    }

    /// <summary>True when <paramref name="text"/> holds a character that is unsafe wherever it appears.</summary>
    private static bool HasAlwaysUnsafe(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var cp = char.ConvertToUtf32(c, text[++i]);
                if (cp is (>= 0xE0000 and <= 0xE007F) or (>= 0xE0100 and <= 0xE01EF) or (>= 0x1D173 and <= 0x1D17A) or (>= 0x1BCA0 and <= 0x1BCA3))
                {
                    return true;
                }

                continue;
            }

            if (char.IsSurrogate(c) || (c < ' ' && c is not ('\t' or '\n' or '\r')) || c is >= '\u007f' and <= '\u009f'
                || c is '\u061C' or '\u200B' or '\u200E' or '\u200F' or '\uFEFF' or '\u3164' or '\u180E' or '\uFFFE' or '\uFFFF'
                || c is >= '\u202A' and <= '\u202E' || c is >= '\u2060' and <= '\u206F')
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public void Removing_leaves_no_unsafe_character()
        => Holds(MixedText, text =>
        {
            var output = Sanitize(text, UnsafeTextHandling.Remove);
            return !HasAlwaysUnsafe(output) && !UnsafeText.NeedsChange(output, UnsafeTextHandling.Remove);
        });

    [Fact]
    public void Making_visible_leaves_no_unsafe_character()
        => Holds(MixedText, text =>
        {
            var output = Sanitize(text, UnsafeTextHandling.MakeVisible);
            return !HasAlwaysUnsafe(output) && !UnsafeText.NeedsChange(output, UnsafeTextHandling.MakeVisible);
        });

    [Theory]
    [InlineData(UnsafeTextHandling.Remove)]
    [InlineData(UnsafeTextHandling.MakeVisible)]
    public void Sanitizing_is_idempotent(UnsafeTextHandling handling)
        => Holds(MixedText, text =>
        {
            var once = Sanitize(text, handling);
            return ReferenceEquals(once, Sanitize(once, handling));
        });

    [Theory]
    [InlineData(UnsafeTextHandling.Remove)]
    [InlineData(UnsafeTextHandling.MakeVisible)]
    public void Benign_text_is_unchanged_and_not_copied(UnsafeTextHandling handling)
        => Holds(BenignText, text => ReferenceEquals(text, Sanitize(text, handling)) && !UnsafeText.NeedsChange(text, handling));

    [Fact]
    public void Making_visible_keeps_different_inputs_different()
    {
        // Visible tokens start with '\' or '<'; over text without those two characters, the output decodes back to the input.
        var pieces = Benign.Concat(Unsafe).Where(p => !p.Contains('\\', StringComparison.Ordinal) && !p.Contains('<', StringComparison.Ordinal)).ToArray();
        var text = Gen.Elements(pieces).ArrayOf().Select(string.Concat);
        var pair =
            from a in text
            from position in Gen.Choose(0, 1000)
            from replacement in Gen.Elements(pieces)
            select (A: a, B: a.Length == 0 ? replacement : string.Concat(a.AsSpan(0, position % a.Length), replacement, a.AsSpan(position % a.Length + 1)));
        Holds(pair, p => p.A == p.B || Sanitize(p.A, UnsafeTextHandling.MakeVisible) != Sanitize(p.B, UnsafeTextHandling.MakeVisible));
    }

    private static Gen<JsonNode?> Node(int depth) => depth == 0
        ? MixedText.Select(t => (JsonNode?)JsonValue.Create(t))
        : Gen.Frequency(
            (2, MixedText.Select(t => (JsonNode?)JsonValue.Create(t))),
            (1, Gen.Choose(-5, 5).Select(n => (JsonNode?)JsonValue.Create(n))),
            (1, Node(depth - 1).ArrayOf().Select(items => (JsonNode?)new JsonArray([.. items.Select(i => i?.DeepClone())]))),
            (1, (from key in MixedText from value in Node(depth - 1) select (key, value)).ArrayOf().Select(Object)));

    private static JsonNode? Object((string Key, JsonNode? Value)[] members)
    {
        var o = new JsonObject();
        foreach (var (key, value) in members)
        {
            o[key] = value?.DeepClone();
        }

        return o;
    }

    [Fact]
    public void Structured_content_is_left_with_no_unsafe_string_or_name_and_a_second_inspection_changes_nothing()
    {
        var filter = new ResultInspectionFilter(Microsoft.Extensions.Options.Options.Create(new ResultInspectionOptions { UnsafeText = UnsafeTextHandling.Remove }), []);
        var gen = Node(3).Select(n => new JsonObject { ["root"] = n });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(gen.ToArbitrary(), root =>
        {
            var first = Inspect(filter, JsonSerializer.SerializeToElement(root));
            if (first.IsError == true)
            {
                // Only a collision of sanitized property names may withhold the result.
                return Denials.IsDenial(first);
            }

            var strings = new List<string>();
            Collect(JsonNode.Parse(first.StructuredContent!.Value.GetRawText()), strings);
            var second = Inspect(filter, first.StructuredContent!.Value);
            return strings.TrueForAll(s => !HasAlwaysUnsafe(s) && !UnsafeText.NeedsChange(s, UnsafeTextHandling.Remove))
                && second.Meta is null
                && second.StructuredContent!.Value.GetRawText() == first.StructuredContent!.Value.GetRawText();
        }));

        static CallToolResult Inspect(ResultInspectionFilter filter, JsonElement element)
        {
            var context = new ToolInvocationContext("s", "t");
            filter.InvokeAsync(context, (c, _) => { c.Result = new CallToolResult { Content = [], StructuredContent = element }; return ValueTask.CompletedTask; }, CancellationToken.None)
                .AsTask().GetAwaiter().GetResult();
            return context.Result!;
        }

        static void Collect(JsonNode? node, List<string> strings)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, value) in o)
                    {
                        strings.Add(key);
                        Collect(value, strings);
                    }

                    break;
                case JsonArray a:
                    foreach (var item in a)
                    {
                        Collect(item, strings);
                    }

                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    strings.Add(v.GetValue<string>());
                    break;
            }
        }
    }
}
