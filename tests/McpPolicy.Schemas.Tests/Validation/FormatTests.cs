namespace McpPolicy.Schemas.Tests.Validation;

public sealed class FormatTests
{
    private static readonly JsonSchemaOptions Asserting = new() { AssertFormat = true };

    [Theory]
    [InlineData("date-time", "2024-02-29T23:59:60Z", true)]
    [InlineData("date-time", "2023-02-29T10:00:00Z", false)]
    [InlineData("date-time", "2024-01-01 10:00:00Z", false)]
    [InlineData("email", "joe.bloggs@example.com", true)]
    [InlineData("email", "joe..bloggs@example.com", false)]
    [InlineData("hostname", "www.example.com", true)]
    [InlineData("hostname", "-bad.example.com", false)]
    [InlineData("ipv4", "192.168.0.1", true)]
    [InlineData("ipv4", "192.168.00.1", false)]
    [InlineData("ipv6", "::ffff:192.168.0.1", true)]
    [InlineData("ipv6", "1:2:3:4:5:6:7:8:9", false)]
    [InlineData("uri", "https://example.com/a?b#c", true)]
    [InlineData("uri", "/relative/path", false)]
    [InlineData("uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d16380", true)]
    [InlineData("uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d1638", false)]
    public void Formats_are_asserted_when_enabled(string format, string value, bool valid)
    {
        var validator = Json.Validator("{\"format\":\"" + format + "\"}", Asserting);

        Assert.Equal(valid, validator.IsValid(Json.Parse("\"" + value + "\"")));
    }

    [Fact]
    public void Formats_are_annotations_by_default()
    {
        Assert.True(Json.Validator("""{"format":"ipv4"}""").IsValid(Json.Parse("\"not an address\"")));
    }

    [Fact]
    public void Unknown_formats_are_never_asserted()
    {
        Assert.True(Json.Validator("""{"format":"x-custom"}""", Asserting).IsValid(Json.Parse("\"anything\"")));
    }

    [Fact]
    public void A_format_error_names_the_format()
    {
        var error = Assert.Single(Json.Validator("""{"properties":{"ip":{"format":"ipv4"}}}""", Asserting).Validate(Json.Parse("""{"ip":"1.2.3"}""")).Errors);

        Assert.Equal("format", error.Keyword);
        Assert.Equal("Value at '/ip' must be a valid ipv4, but is \"1.2.3\".", error.Message);
    }
}
