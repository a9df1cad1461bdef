namespace McpPolicy.Tokens;

/// <summary>
/// Exchanges the token this server received for one issued for a downstream resource (OAuth 2.0 Token Exchange, RFC 8693), so a
/// tool calls the downstream service with a token meant for it instead of passing the inbound token through.
/// </summary>
public interface ITokenExchanger
{
    /// <summary>Exchanges a token.</summary>
    /// <param name="request">The subject token and the resource, audience and scopes wanted.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The issued token.</returns>
    /// <exception cref="TokenExchangeException">The authorization server refused the exchange or answered something unusable.</exception>
    ValueTask<TokenExchangeResult> ExchangeAsync(TokenExchangeRequest request, CancellationToken cancellationToken = default);
}
