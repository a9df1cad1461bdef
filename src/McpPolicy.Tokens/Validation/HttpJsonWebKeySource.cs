using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpPolicy.Tokens;

/// <summary>
/// Fetches an issuer's key set from its <c>jwks_uri</c>, caches it for <see cref="HttpJsonWebKeySourceOptions.CacheDuration"/>,
/// and re-fetches early when a token names an unknown key id, at most once per <see cref="HttpJsonWebKeySourceOptions.MinRefreshInterval"/>.
/// </summary>
/// <remarks>
/// Give it an <see cref="HttpClient"/> from <see cref="SsrfSafeHttp.CreateClient"/> so the fetch cannot be pointed at internal
/// addresses. When a fetch fails and keys were fetched before, the last good set stays in use; with no set at all the
/// validation fails with <see cref="TokenValidationError.KeysUnavailable"/>.
/// </remarks>
public sealed partial class HttpJsonWebKeySource : JsonWebKeySource, IDisposable
{
    private readonly HttpClient _httpClient;
    private readonly HttpJsonWebKeySourceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _fetchGate = new(1, 1);
    private JsonWebKeySet? _keys;
    private long _fetchedAtTicks;
    private DateTimeOffset? _lastAttempt;

    /// <summary>Creates the source.</summary>
    /// <param name="jwksUri">The key set address: https, or http on a loopback host only.</param>
    /// <param name="httpClient">The client to fetch with (not disposed by the source).</param>
    /// <param name="options">Cache and refresh settings; null for the defaults.</param>
    /// <param name="timeProvider">The clock; null for the system clock.</param>
    /// <param name="logger">The logger; null for none.</param>
    /// <exception cref="ArgumentException">The address is not https (or loopback http).</exception>
    public HttpJsonWebKeySource(Uri jwksUri, HttpClient httpClient, HttpJsonWebKeySourceOptions? options = null, TimeProvider? timeProvider = null, ILogger<HttpJsonWebKeySource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(jwksUri);
        ArgumentNullException.ThrowIfNull(httpClient);
        if (!jwksUri.IsAbsoluteUri || !(jwksUri.Scheme == Uri.UriSchemeHttps || (jwksUri.Scheme == Uri.UriSchemeHttp && jwksUri.IsLoopback)))
        {
            throw new ArgumentException($"The key set address '{jwksUri}' must be an absolute https URI (http is allowed only on a loopback host).", nameof(jwksUri));
        }

        _options = options ?? new HttpJsonWebKeySourceOptions();
        if (_options.CacheDuration <= TimeSpan.Zero || _options.MinRefreshInterval < TimeSpan.Zero)
        {
            throw new ArgumentException("CacheDuration must be positive and MinRefreshInterval must not be negative.", nameof(options));
        }

        JwksUri = jwksUri;
        _httpClient = httpClient;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The key set address.</summary>
    public Uri JwksUri { get; }

    private DateTimeOffset FetchedAt => new(Interlocked.Read(ref _fetchedAtTicks), TimeSpan.Zero);

    /// <summary>Releases the fetch lock; the <see cref="HttpClient"/> is not disposed.</summary>
    public void Dispose() => _fetchGate.Dispose();

    /// <inheritdoc />
    public override async ValueTask<JsonWebKeySet> GetKeysAsync(CancellationToken cancellationToken)
    {
        var keys = Volatile.Read(ref _keys);
        if (keys is not null && _time.GetUtcNow() - FetchedAt < _options.CacheDuration)
        {
            return keys;
        }

        return await FetchAsync(force: false, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async ValueTask<JsonWebKeySet> RefreshKeysAsync(CancellationToken cancellationToken)
        => await FetchAsync(force: true, cancellationToken).ConfigureAwait(false);

    private async Task<JsonWebKeySet> FetchAsync(bool force, CancellationToken cancellationToken)
    {
        await _fetchGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            if (_keys is not null)
            {
                // Another caller fetched while this one waited, or the refresh is rate-limited.
                var fresh = now - FetchedAt < _options.CacheDuration;
                var rateLimited = _lastAttempt is { } last && now - last < _options.MinRefreshInterval;
                if ((!force && fresh) || (force && rateLimited))
                {
                    return _keys;
                }
            }
            else if (force && _lastAttempt is { } last && now - last < _options.MinRefreshInterval)
            {
                throw new InvalidOperationException($"The key set at {JwksUri} could not be fetched, and the next attempt is rate-limited.");
            }

            _lastAttempt = now;
            try
            {
                var keys = await DownloadAsync(cancellationToken).ConfigureAwait(false);
                Interlocked.Exchange(ref _fetchedAtTicks, now.UtcTicks);
                Volatile.Write(ref _keys, keys);
                LogFetched(_logger, JwksUri, keys.Keys.Count);
                return keys;
            }
            catch (Exception ex) when (ex is HttpRequestException or FormatException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LogFetchFailed(_logger, JwksUri, ex.Message);
                if (_keys is not null)
                {
                    return _keys;
                }

                throw new InvalidOperationException($"The key set at {JwksUri} could not be fetched: {ex.Message}", ex);
            }
        }
        finally
        {
            _fetchGate.Release();
        }
    }

    private async Task<JsonWebKeySet> DownloadAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, JwksUri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        if (response.Content.Headers.ContentLength > JsonWebKeySet.MaxDocumentBytes)
        {
            throw new FormatException($"the key set is larger than {JsonWebKeySet.MaxDocumentBytes} bytes");
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > JsonWebKeySet.MaxDocumentBytes)
                {
                    throw new FormatException($"the key set is larger than {JsonWebKeySet.MaxDocumentBytes} bytes");
                }

                buffer.Write(chunk, 0, read);
            }

            return JsonWebKeySet.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        }
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Fetched the key set at {JwksUri}: {Count} usable keys.")]
    private static partial void LogFetched(ILogger logger, Uri jwksUri, int count);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Could not fetch the key set at {JwksUri}: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, Uri jwksUri, string reason);
}
