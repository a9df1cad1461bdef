using FsCheck;
using FsCheck.Fluent;
using McpPolicy.Tokens.Tests.TestSupport;

namespace McpPolicy.Tokens.Tests.Validation;

public sealed class TokenTamperPropertyTests
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \0é";
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(400);
    private static readonly AccessTokenValidator Validator = new(Jwt.Options(hmac: true), new ManualClock());

    /// <summary>The key source is static, so validation completes synchronously; FsCheck properties are synchronous.</summary>
    private static bool Accepts(string token)
    {
        var pending = Validator.ValidateAsync(token).AsTask();
        Assert.True(pending.IsCompleted);
        return pending.Result.IsValid;
    }

    public static TheoryData<string> Algorithms => new() { "RS256", "PS384", "ES256", "ES512", "HS256" };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Any_single_character_change_of_a_valid_token_is_refused(string alg)
    {
        var token = Jwt.Create(alg);
        Assert.True(Accepts(token));
        var changes =
            from position in Gen.Choose(0, token.Length - 1)
            from replacement in Gen.Elements(Alphabet.ToCharArray())
            where replacement != token[position]
            select (position, replacement);

        Check.One(Config, Prop.ForAll(changes.ToArbitrary(), c =>
        {
            var tampered = string.Concat(token.AsSpan(0, c.position), c.replacement.ToString(), token.AsSpan(c.position + 1));
            return !Accepts(tampered);
        }));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Last_character_of_the_signature_is_covered_exhaustively(string alg)
    {
        // The final base64url character carries unused bits: every other value must be refused, not decoded to the same bytes.
        var token = Jwt.Create(alg);
        foreach (var c in Alphabet)
        {
            if (c != token[^1])
            {
                Assert.False(Accepts(token[..^1] + c), $"'{c}' at the end was accepted");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Any_truncation_or_extension_of_a_valid_token_is_refused(string alg)
    {
        var token = Jwt.Create(alg);
        var edits = Gen.OneOf(
            Gen.Choose(0, token.Length - 1).Select(n => token[..n]),
            Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(Gen.Elements(Alphabet.ToCharArray()), n)).Select(extra => token + new string(extra)),
            Gen.Choose(0, token.Length - 1).Select(n => token.Remove(n, 1)));

        Check.One(Config, Prop.ForAll(edits.ToArbitrary(), edited => edited == token || !Accepts(edited)));
    }
}
