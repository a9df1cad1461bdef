using McpPolicy.Tokens.Tests.TestSupport;

namespace McpPolicy.Tokens.Tests.Validation;

public sealed class ReceivedTokensTests
{
    [Fact]
    public void Token_is_remembered_until_it_expires()
    {
        var clock = new ManualClock();
        var received = new ReceivedTokens(clock);
        received.Record("token-a", ManualClock.Start.AddMinutes(5));

        Assert.True(received.Contains("token-a"));
        Assert.False(received.Contains("token-b"));
        Assert.False(received.Contains("token-a "));
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(received.Contains("token-a"));
    }

    [Fact]
    public void A_full_registry_drops_expired_then_soonest_expiring_fingerprints_and_keeps_recent_ones()
    {
        var clock = new ManualClock();
        var received = new ReceivedTokens(clock);
        for (var i = 0; i < ReceivedTokens.Capacity; i++)
        {
            received.Record("t" + i, ManualClock.Start.AddSeconds(10 + i));
        }

        received.Record("newest", ManualClock.Start.AddHours(1));

        Assert.True(received.Contains("newest"));
        Assert.True(received.Contains("t" + (ReceivedTokens.Capacity - 1)));
        Assert.False(received.Contains("t0"));
    }

    [Fact]
    public async Task Environment_variable_token_source_reads_the_variable_on_each_call()
    {
        var name = "MCPPOLICY_TEST_TOKEN_" + Guid.NewGuid().ToString("N");
        var source = TokenAuthorizationOptions.FromEnvironmentVariable(name);
        try
        {
            Environment.SetEnvironmentVariable(name, "first");
            Assert.Equal("first", await source(null!, CancellationToken.None));
            Environment.SetEnvironmentVariable(name, "second");
            Assert.Equal("second", await source(null!, CancellationToken.None));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }
}
