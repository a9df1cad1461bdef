using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpPolicy.Core.Tests.Canonical;

public sealed class CanonicalJsonTests
{
    [Fact]
    public void Rfc8785_section_3_2_2_example_is_reproduced_byte_for_byte()
    {
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;

        Assert.Equal(
            """{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}""",
            Canonical(input));
    }

    [Fact]
    public void Properties_are_sorted_by_utf16_code_units_not_code_points_as_in_rfc8785_section_3_2_3()
    {
        const string input = """
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """;

        // U+1F600 sorts before U+FB33 because its first UTF-16 code unit is 0xD83D.
        Assert.Equal(
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\","
            + "\"\u20ac\":\"Euro Sign\",\"\U0001F600\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}",
            Canonical(input));
    }

    [Fact]
    public void Nested_objects_are_sorted_at_every_level_and_array_order_is_kept()
    {
        const string input = """{ "b": [ {"z": 1, "a": 2}, 3, [] ], "a": { "y": {}, "x": null } }""";

        Assert.Equal("""{"a":{"x":null,"y":{}},"b":[{"a":2,"z":1},3,[]]}""", Canonical(input));
    }

    [Fact]
    public void Sorting_is_case_sensitive_with_upper_case_first()
    {
        Assert.Equal("""{"B":1,"a":2,"b":3}""", Canonical("""{"b":3,"a":2,"B":1}"""));
    }

    [Fact]
    public void Control_characters_use_the_short_escape_where_json_has_one_and_lower_case_u_escapes_otherwise()
    {
        var builder = new StringBuilder("[\"");
        for (var c = 0; c < 0x20; c++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\u{c:X4}");
        }

        builder.Append("\"]");

        Assert.Equal(
            "[\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
            + "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"]",
            Canonical(builder.ToString()));
    }

    [Fact]
    public void Everything_but_quote_backslash_and_controls_is_written_as_raw_utf8()
    {
        var bytes = CanonicalJson.Serialize(Parse("""["\u007f\u2028\u2029\/<>&'\u00e9\ud834\udd1e"]"""));

        Assert.Equal(Encoding.UTF8.GetBytes("[\"\u007f\u2028\u2029/<>&'\u00e9\U0001D11E\"]"), bytes);
    }

    [Fact]
    public void Literals_and_empty_containers_have_their_minimal_form()
    {
        Assert.Equal("""[true,false,null,{},[],""]""", Canonical(""" [ true , false , null , { } , [ ] , "" ] """));
    }

    [Fact]
    public void A_scalar_at_the_top_level_is_canonicalized()
    {
        Assert.Equal("\"x\"", Canonical("\"\\u0078\""));
        Assert.Equal("100", Canonical("1E2"));
    }

    [Fact]
    public void Duplicate_property_names_are_rejected_since_readers_may_disagree_on_which_one_wins()
    {
        var ex = Assert.Throws<ArgumentException>(() => CanonicalJson.Serialize(Parse("""{"a":1,"b":{"x":1,"x":2}}""")));

        Assert.Contains("'x'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_names_spelled_with_different_escapes_are_still_duplicates()
    {
        Assert.Throws<ArgumentException>(() => CanonicalJson.Serialize(Parse("""{"a":1,"\u0061":2}""")));
    }

    [Theory]
    [InlineData("""["\ud800"]""")]
    [InlineData("""["\udc00"]""")]
    [InlineData("""{"\ud83d":1}""")]
    [InlineData("""["a\ude00b"]""")]
    public void Strings_with_unpaired_surrogates_are_rejected(string json)
    {
        Assert.Throws<ArgumentException>(() => CanonicalJson.Serialize(Parse(json)));
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("[1, {\"a\": 2e308}]")]
    public void Numbers_outside_the_double_range_are_rejected(string json)
    {
        Assert.Throws<ArgumentException>(() => CanonicalJson.Serialize(Parse(json)));
    }

    [Fact]
    public void An_undefined_element_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => CanonicalJson.Serialize(default));
    }

    [Fact]
    public void Sha256_is_the_lower_case_hex_digest_of_the_canonical_bytes()
    {
        var value = Parse("""{ "b": 1, "a": "x" }""");

        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("""{"a":"x","b":1}""")));
        Assert.Equal(expected, CanonicalJson.Sha256(value));
    }

    [Fact]
    public void Sha256_is_equal_for_differently_spelled_equal_values_and_different_otherwise()
    {
        var a = CanonicalJson.Sha256(Parse("""{"n":1.0,"s":"\u00e9","o":{"y":[1e0],"x":true}}"""));
        var b = CanonicalJson.Sha256(Parse("""{ "o" : { "x" : true , "y" : [ 10E-1 ] } , "s" : "é" , "n" : 1 }"""));
        var c = CanonicalJson.Sha256(Parse("""{"n":1,"s":"é","o":{"x":true,"y":[2]}}"""));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    internal static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    internal static string Canonical(string json) => Encoding.UTF8.GetString(CanonicalJson.Serialize(Parse(json)));
}
