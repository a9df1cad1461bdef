namespace McpPolicy.Schemas.Tests.Validation;

public sealed class NumberTests
{
    [Theory]
    [InlineData("1.0", true)]
    [InlineData("1e2", true)]
    [InlineData("-0.0", true)]
    [InlineData("1.5", false)]
    [InlineData("1e-2", false)]
    [InlineData("1e308", true)]
    [InlineData("12345678901234567890123456789012345678901234567890", true)]
    [InlineData("0.1e1", true)]
    public void Integers_are_numbers_without_a_fractional_part(string number, bool integer)
    {
        Assert.Equal(integer, Json.Validator("""{"type":"integer"}""").IsValid(Json.Parse(number)));
    }

    [Theory]
    [InlineData("0.0075", "0.0001", true)]
    [InlineData("0.00751", "0.0001", false)]
    [InlineData("4.5", "1.5", true)]
    [InlineData("35", "1.5", false)]
    [InlineData("12391239123", "1e-8", true)]
    [InlineData("1e308", "0.123456789", false)]
    [InlineData("123456789012345678901234567890", "10", true)]
    [InlineData("123456789012345678901234567891", "10", false)]
    [InlineData("1e1000000000", "7", false)]
    [InlineData("1e1000000000", "5", true)]
    public void Multiple_of_is_exact(string value, string divisor, bool valid)
    {
        Assert.Equal(valid, Json.Validator("{\"multipleOf\":" + divisor + "}").IsValid(Json.Parse(value)));
    }

    [Theory]
    [InlineData("9007199254740993", "9007199254740992", false)]
    [InlineData("18446744073709551615", "18446744073709551615", true)]
    [InlineData("1e400", "1e399", false)]
    [InlineData("-1e400", "0", true)]
    [InlineData("0.30000000000000004", "0.3", false)]
    public void Bounds_compare_exactly_beyond_double_precision(string value, string maximum, bool valid)
    {
        Assert.Equal(valid, Json.Validator("{\"maximum\":" + maximum + "}").IsValid(Json.Parse(value)));
    }

    [Theory]
    [InlineData("[1, 1.0]", false)]
    [InlineData("[1, 1e0, 10e-1]", false)]
    [InlineData("[{\"a\":1,\"b\":[2]}, {\"b\":[2.0],\"a\":1}]", false)]
    [InlineData("[true, 1]", true)]
    [InlineData("[\"\\u00e9\", \"é\"]", false)]
    public void Unique_items_compare_by_json_value(string array, bool unique)
    {
        Assert.Equal(unique, Json.Validator("""{"uniqueItems":true}""").IsValid(Json.Parse(array)));
    }

    [Fact]
    public void Unique_items_uses_value_equality_in_long_arrays_too()
    {
        var validator = Json.Validator("""{"uniqueItems":true}""");
        string distinct = string.Join(',', Enumerable.Range(0, 100).Select(i => $"{{\"n\":{i}}}"));

        Assert.True(validator.IsValid(Json.Parse("[" + distinct + "]")));
        Assert.False(validator.IsValid(Json.Parse("[" + distinct + ",{\"n\":42.0}]")));
    }

    [Fact]
    public void Enum_and_const_compare_numbers_by_value_and_strings_after_unescaping()
    {
        Assert.True(Json.Validator("""{"const":2}""").IsValid(Json.Parse("2.00")));
        Assert.False(Json.Validator("""{"const":2}""").IsValid(Json.Parse("true")));
        Assert.True(Json.Validator("""{"enum":["é","x"]}""").IsValid(Json.Parse("\"\\u00e9\"")));
        var large = Json.Validator("{\"enum\":[" + string.Join(',', Enumerable.Range(0, 40).Select(i => $"\"v{i}\"")) + "]}");
        Assert.True(large.IsValid(Json.Parse("\"v3\\u0039\"")));
        Assert.False(large.IsValid(Json.Parse("\"v40\"")));
    }
}
