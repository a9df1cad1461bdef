using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace McpPolicy.Core.Tests.Canonical;

public sealed class EcmaScriptNumberTests
{
    // RFC 8785 Appendix B: IEEE 754 bit patterns and their expected serialization.
    [Theory]
    [InlineData("0000000000000000", "0")]
    [InlineData("8000000000000000", "0")]
    [InlineData("0000000000000001", "5e-324")]
    [InlineData("8000000000000001", "-5e-324")]
    [InlineData("7fefffffffffffff", "1.7976931348623157e+308")]
    [InlineData("ffefffffffffffff", "-1.7976931348623157e+308")]
    [InlineData("4340000000000000", "9007199254740992")]
    [InlineData("c340000000000000", "-9007199254740992")]
    [InlineData("4430000000000000", "295147905179352830000")]
    [InlineData("44b52d02c7e14af5", "9.999999999999997e+22")]
    [InlineData("44b52d02c7e14af6", "1e+23")]
    [InlineData("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [InlineData("444b1ae4d6e2ef4e", "999999999999999700000")]
    [InlineData("444b1ae4d6e2ef4f", "999999999999999900000")]
    [InlineData("444b1ae4d6e2ef50", "1e+21")]
    [InlineData("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [InlineData("3eb0c6f7a0b5ed8d", "0.000001")]
    [InlineData("41b3de4355555553", "333333333.3333332")]
    [InlineData("41b3de4355555554", "333333333.33333325")]
    [InlineData("41b3de4355555555", "333333333.3333333")]
    [InlineData("41b3de4355555556", "333333333.3333334")]
    [InlineData("41b3de4355555557", "333333333.33333343")]
    [InlineData("becbf647612f3696", "-0.0000033333333333333333")]
    [InlineData("43143ff3c1cb0959", "1424953923781206.2")]
    public void Rfc8785_appendix_b_numbers_serialize_as_the_rfc_lists(string ieeeHex, string expected)
    {
        var value = BitConverter.Int64BitsToDouble(long.Parse(ieeeHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

        Assert.Equal(expected, Format(value));

        // And the same through a JSON document, from the round-trip spelling of the double.
        var json = value.ToString("R", CultureInfo.InvariantCulture);
        Assert.Equal(expected, CanonicalJsonTests.Canonical(json));
    }

    [Theory]
    [InlineData("1e21", "1e+21")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("0.0000012345", "0.0000012345")]
    [InlineData("0.00000012345", "1.2345e-7")]
    [InlineData("333333333.33333329", "333333333.3333333")]
    [InlineData("-0", "0")]
    [InlineData("-0.0e5", "0")]
    [InlineData("5e-324", "5e-324")]
    [InlineData("1.7976931348623157e308", "1.7976931348623157e+308")]
    [InlineData("123e-20", "1.23e-18")]
    [InlineData("100", "100")]
    [InlineData("1.50", "1.5")]
    [InlineData("-1.5E-10", "-1.5e-10")]
    [InlineData("0.1", "0.1")]
    [InlineData("12.5e1", "125")]
    [InlineData("9007199254740993", "9007199254740992")]
    [InlineData("12345678901234567890", "12345678901234567000")]
    [InlineData("1e400000000000", null)]
    public void Json_number_spellings_canonicalize_to_the_ecmascript_form(string json, string? expected)
    {
        if (expected is null)
        {
            Assert.Throws<ArgumentException>(() => CanonicalJsonTests.Canonical(json));
            return;
        }

        Assert.Equal(expected, CanonicalJsonTests.Canonical(json));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NaN_and_infinities_have_no_form(double value)
    {
        Assert.Throws<ArgumentException>(() => Format(value));
    }

    [Fact]
    public void Every_finite_double_round_trips_through_its_ecmascript_form_in_the_shortest_digits()
    {
        var finiteDoubles = ArbMap.Default.GeneratorFor<long>()
            .Select(BitConverter.Int64BitsToDouble)
            .Where(double.IsFinite);

        Prop.ForAll(finiteDoubles.ToArbitrary(), value =>
        {
            var text = Format(value);
            var parsed = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            var significant = text.TrimStart('-').Split('e')[0].Replace(".", string.Empty, StringComparison.Ordinal).Trim('0');
            return parsed.Equals(value == 0 ? 0d : value)
                && significant.Length <= 17
                && !text.Contains('E', StringComparison.Ordinal)
                && text.Length <= EcmaScriptNumber.MaxLength;
        }).QuickCheckThrowOnFailure();
    }

    private static string Format(double value)
    {
        var buffer = new byte[EcmaScriptNumber.MaxLength];
        var length = EcmaScriptNumber.Format(value, buffer);
        return Encoding.ASCII.GetString(buffer, 0, length);
    }
}
