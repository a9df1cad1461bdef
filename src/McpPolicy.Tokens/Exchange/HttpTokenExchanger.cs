using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace McpPolicy.Tokens;

/// <summary>An <see cref="ITokenExchanger"/> that posts RFC 8693 token exchange requests to an authorization server's token endpoint.</summary>
public sealed class HttpTokenExchanger : ITokenExchanger
{
    /// <summary>The grant type of a token exchange.</summary>
    public const string GrantType = "urn:ietf:params:oauth:grant-type:token-exchange";

    private const int MaxResponseBytes = 64 * 1024;

    private readonly HttpClient _httpClient;
    private readonly HttpTokenExchangerOptions _options;
    private readonly Uri _endpoint;

    /// <summary>Creates the exchanger.</summary>
    /// <param name="httpClient">The client to post with (an <see cref="SsrfSafeHttp"/> client fits); not disposed by the exchanger.</param>
    /// <param name="options">The token endpoint and client credentials.</param>
    /// <exception cref="ArgumentException">The token endpoint is missing or neither https nor loopback http.</exception>
    public HttpTokenExchanger(HttpClient httpClient, HttpTokenExchangerOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = options.TokenEndpoint;
        if (endpoint is null || !endpoint.IsAbsoluteUri
            || !(endpoint.Scheme == Uri.UriSchemeHttps || (endpoint.Scheme == Uri.UriSchemeHttp && endpoint.IsLoopback)))
        {
            throw new ArgumentException("HttpTokenExchangerOptions.TokenEndpoint must be an absolute https URI (http only on a loopback host).", nameof(options));
        }

        _httpClient = httpClient;
        _options = options;
        _endpoint = endpoint;
    }

    /// <inheritdoc />
    public async ValueTask<TokenExchangeResult> ExchangeAsync(TokenExchangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.SubjectToken))
        {
            throw new ArgumentException("TokenExchangeRequest.SubjectToken is required.", nameof(request));
        }

        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", GrantType),
            new("subject_token", request.SubjectToken),
            new("subject_token_type", request.SubjectTokenType),
        };
        AddIfSet(form, "resource", request.Resource);
        AddIfSet(form, "audience", request.Audience);
        AddIfSet(form, "requested_token_type", request.RequestedTokenType);
        if (request.Scopes.Count > 0)
        {
            form.Add(new("scope", string.Join(' ', request.Scopes)));
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new FormUrlEncodedContent(form) };
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_options.ClientSecret is not null)
        {
            // RFC 6749 section 2.3.1: id and secret are form-urlencoded before Basic encoding.
            var credentials = Uri.EscapeDataString(_options.ClientId ?? "") + ":" + Uri.EscapeDataString(_options.ClientSecret);
            message.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        else if (_options.ClientId is not null)
        {
            form.Add(new("client_id", _options.ClientId));
            message.Content.Dispose();
            message.Content = new FormUrlEncodedContent(form);
        }

        using var response = await _httpClient.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var body = await ReadLimitedAsync(response, cancellationToken).ConfigureAwait(false);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new TokenExchangeException($"The token endpoint answered {(int)response.StatusCode} with a body that is not JSON.", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new TokenExchangeException($"The token endpoint answered {(int)response.StatusCode} with JSON that is not an object.");
            }

            if (!response.IsSuccessStatusCode)
            {
                var error = String(root, "error");
                var description = String(root, "error_description");
                throw new TokenExchangeException(
                    $"The token exchange was refused ({(int)response.StatusCode}, {error ?? "no error code"}){(description is null ? "" : ": " + description)}.",
                    error);
            }

            var accessToken = String(root, "access_token");
            var issuedType = String(root, "issued_token_type");
            var tokenType = String(root, "token_type");
            if (string.IsNullOrEmpty(accessToken) || issuedType is null || tokenType is null)
            {
                throw new TokenExchangeException("The token endpoint's answer lacks access_token, issued_token_type or token_type (RFC 8693 section 2.2.1).");
            }

            TimeSpan? expiresIn = root.TryGetProperty("expires_in", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : null;
            return new TokenExchangeResult(accessToken, issuedType, tokenType, expiresIn, String(root, "scope"));
        }
    }

    private static void AddIfSet(List<KeyValuePair<string, string>> form, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            form.Add(new(name, value));
        }
    }

    private static string? String(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxResponseBytes)
        {
            throw new TokenExchangeException(string.Create(CultureInfo.InvariantCulture, $"The token endpoint's answer is larger than {MaxResponseBytes} bytes."));
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxResponseBytes)
                {
                    throw new TokenExchangeException(string.Create(CultureInfo.InvariantCulture, $"The token endpoint's answer is larger than {MaxResponseBytes} bytes."));
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }
}
