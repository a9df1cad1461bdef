namespace McpPolicy.Tokens;

/// <summary>Validates the token a <see cref="TokenAuthorizationOptions.TokenSource"/> returns, once per distinct token until it expires.</summary>
internal sealed class TokenPrincipalCache
{
    private readonly AccessTokenValidator _validator;
    private readonly Func<IServiceProvider, CancellationToken, ValueTask<string?>> _source;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private Entry? _last;

    public TokenPrincipalCache(AccessTokenValidator validator, Func<IServiceProvider, CancellationToken, ValueTask<string?>> source, IServiceProvider services, TimeProvider time)
    {
        _time = time;
        _validator = validator;
        _source = source;
        _services = services;
    }

    public async ValueTask<TokenValidationResult> GetAsync(CancellationToken cancellationToken)
    {
        var token = await _source(_services, cancellationToken).ConfigureAwait(false);
        // One immutable entry read and written as a reference, so concurrent requests never pair a token with another's result.
        var cached = Volatile.Read(ref _last);
        if (cached is not null && string.Equals(cached.Token, token, StringComparison.Ordinal)
            && cached.Result.Error is not TokenValidationError.KeysUnavailable
            && (!cached.Result.IsValid || cached.Result.Expires is null || cached.Result.Expires > _time.GetUtcNow()))
        {
            // A valid token is re-validated once it expires (so it is then refused); a refused one stays refused.
            return cached.Result;
        }

        var result = await _validator.ValidateAsync(token, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _last, new Entry(token, result));
        return result;
    }

    private sealed record Entry(string? Token, TokenValidationResult Result);
}
