using System.Security.Claims;
using FsCheck;
using FsCheck.Fluent;
using McpPolicy.Tokens.Tests.TestSupport;

namespace McpPolicy.Tokens.Tests.Scopes;

public sealed class ScopePropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(500);
    private static readonly string[] Universe = ["a", "b", "files:read", "files:write", "admin", "x:y"];
    private static readonly CallerAuthorization Authorization = new(ResourceIndicator.Parse(Jwt.Resource), requireAuthenticatedCaller: true, resourceMetadata: null);

    private static Gen<string[]> Subset => Gen.SubListOf(Universe).Select(l => l.ToArray());

    [Fact]
    public void Call_is_allowed_exactly_when_every_required_scope_is_granted()
    {
        var cases = Subset.Two().ToArbitrary();

        Check.One(Config, Prop.ForAll(cases, c =>
        {
            var (granted, required) = c;
            var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("aud", Jwt.Resource), new Claim("scope", string.Join(' ', granted))], "Test"));
            var denial = Authorization.Check(principal, "tool", required, null);
            var expected = required.All(granted.Contains);
            return expected
                ? denial is null
                : denial is not null && TokenDenials.RequiredScopesOf(denial).SequenceEqual(required);
        }));
    }

    [Fact]
    public void Without_this_resource_as_audience_nothing_is_allowed_whatever_the_scopes()
    {
        var audiences = Gen.Elements("https://mcp.example.com", "https://mcp.example.com/mcp/x", "https://other.example/mcp", "http://mcp.example.com/mcp", "mcp");
        var cases = audiences.SelectMany(a => Subset.Select(s => (a, s))).ToArbitrary();

        Check.One(Config, Prop.ForAll(cases, c =>
        {
            var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("aud", c.a), new Claim("scope", string.Join(' ', Universe))], "Test"));
            return Authorization.Check(principal, "tool", c.s, null) is not null;
        }));
    }
}
