using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using McpPolicy.Core.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Engine;

/// <summary>
/// How a condition finds its argument and measures a string: the argument name is looked up as UTF-8 in the arguments' JSON (escaped
/// names included), and <c>minLength</c>/<c>maxLength</c> count the decoded text's code points even where the evaluator skips counting
/// because the written text already fits.
/// </summary>
public sealed class ArgumentLookupTests
{
    private static RiskLevel Decide(string key, string condition, string arguments)
    {
        var keyJson = System.Text.Json.JsonSerializer.Serialize(key);
        var evaluator = Policies.FromJson($$"""
            { "tools": [ { "match": "t/x", "risk": "Low", "onViolation": "Block", "arguments": { {{keyJson}}: {{condition}} } } ] }
            """);
        return evaluator.Evaluate(Calls.Known("t/x", arguments)).Risk;
    }

    [Theory]
    [InlineData("text", """{ "text": "abcd" }""")]
    [InlineData("text", """{ "t\u0065xt": "abcd" }""")]
    [InlineData("text", """{ "other": 1, "text": "abcd" }""")]
    [InlineData("été", """{ "été": "abcd" }""")]
    [InlineData("été", """{ "\u00e9t\u00e9": "abcd" }""")]
    [InlineData("😀", """{ "\ud83d\ude00": "abcd" }""")]
    [InlineData("/a/b", """{ "a": { "b": "abcd" } }""")]
    [InlineData("/a/b", """{ "\u0061": { "b": "abcd" } }""")]
    public void An_argument_is_found_by_its_decoded_name(string key, string arguments)
        => Assert.Equal(RiskLevel.Block, Decide(key, """{ "maxLength": 3 }""", arguments));

    [Theory]
    [InlineData("text", """{ "Text": "abcd" }""")]
    [InlineData("text", """{ "text ": "abcd" }""")]
    [InlineData("été", """{ "ete": "abcd" }""")]
    [InlineData("/a/b", """{ "a": { "c": "abcd" } }""")]
    public void A_different_name_is_not_the_argument(string key, string arguments)
        => Assert.Equal(RiskLevel.Low, Decide(key, """{ "maxLength": 3, "required": false }""", arguments));

    [Fact]
    public void A_required_argument_under_a_name_that_is_not_valid_utf16_is_looked_up_as_text_and_is_missing()
        => Assert.Equal(RiskLevel.Block, Decide("a\ud800", """{ "required": true }""", """{ "a": 1 }"""));

    /// <summary>
    /// Strings written with every mix of raw UTF-8, <c>\uXXXX</c> escapes (surrogate pairs for astral characters) and short escapes,
    /// under bounds around their length: the condition holds exactly when the decoded text's code points are within the bounds.
    /// </summary>
    [Fact]
    public void Length_bounds_count_code_points_however_the_string_is_written()
    {
        string[] alphabet = ["a", "Z", " ", "\"", "\\", "/", "\n", "\t", "é", "ß", "€", "中", "😀", "𝄞", "\u007f", "\u0001"];
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(3000),
            Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
            {
                var random = new Random(seed);
                var text = new StringBuilder();
                var json = new StringBuilder("\"");
                var length = random.Next(0, 12);

                // Written as it is wherever JSON allows (the evaluator's fast path), escaped wherever it can be, or a mix.
                var escaping = random.Next(3);
                for (var i = 0; i < length; i++)
                {
                    var piece = alphabet[random.Next(alphabet.Length)];
                    text.Append(piece);
                    json.Append(Write(piece, escaping == 2 ? random.Next(2) : escaping, random));
                }

                json.Append('"');
                var codePoints = text.ToString().EnumerateRunes().Count();
                var bound = Math.Max(0, codePoints + random.Next(-2, 3));
                var arguments = "{ \"v\": " + json + " }";

                var max = Decide("v", $$"""{ "maxLength": {{bound}} }""", arguments);
                Assert.True((codePoints <= bound ? RiskLevel.Low : RiskLevel.Block) == max, $"maxLength {bound} on {json} ({codePoints} code points): {max}");
                var min = Decide("v", $$"""{ "minLength": {{bound}} }""", arguments);
                Assert.True((codePoints >= bound ? RiskLevel.Low : RiskLevel.Block) == min, $"minLength {bound} on {json} ({codePoints} code points): {min}");
            }));
    }

    /// <summary>One character as JSON string content: as it is where JSON allows (<paramref name="escaping"/> 0), else escaped.</summary>
    private static string Write(string piece, int escaping, Random random)
    {
        var mustEscape = piece is "\"" or "\\" || piece[0] < 0x20;
        if (!mustEscape && escaping == 0)
        {
            return piece;
        }

        if (random.Next(3) == 0)
        {
            switch (piece)
            {
                case "\"": return "\\\"";
                case "\\": return "\\\\";
                case "/": return "\\/";
                case "\n": return "\\n";
                case "\t": return "\\t";
            }
        }

        return string.Concat(piece.Select(c => "\\u" + ((int)c).ToString(random.Next(2) == 0 ? "x4" : "X4", CultureInfo.InvariantCulture)));
    }
}
