using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpPolicy.Tokens;

/// <summary>
/// A handler for the <see cref="HttpClient"/>s tools use downstream that enforces the MCP rule against token passthrough: it
/// refuses to send a bearer token this server received (<see cref="ReceivedTokens"/>) and a bearer token whose audience is not
/// the destination, throwing <see cref="TokenPassthroughException"/> and logging an audit event. Get a token for the downstream
/// resource with an <see cref="ITokenExchanger"/> instead.
/// </summary>
/// <remarks>
/// An audience value names the destination when it is a resource URI with the destination's scheme, host and port, and a path
/// that is the request path or a parent folder of it. The audience is read from the outgoing token without verifying it: the
/// guard stops mistakes and confused deputies in this process, it does not authenticate anyone.
/// </remarks>
public sealed partial class TokenPassthroughGuard : DelegatingHandler
{
    private readonly ReceivedTokens _received;
    private readonly TokenPassthroughGuardOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the guard.</summary>
    /// <param name="received">The tokens this server accepted.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="logger">Receives an audit event for every refusal; null for none.</param>
    public TokenPassthroughGuard(ReceivedTokens received, TokenPassthroughGuardOptions? options = null, ILogger<TokenPassthroughGuard>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(received);
        _received = received;
        _options = options ?? new TokenPassthroughGuardOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Check(request);
        return base.SendAsync(request, cancellationToken);
    }

    /// <inheritdoc />
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Check(request);
        return base.Send(request, cancellationToken);
    }

    private void Check(HttpRequestMessage request)
    {
        if (!request.Headers.TryGetValues("Authorization", out var values))
        {
            return;
        }

        var destination = request.RequestUri;
        foreach (var value in values)
        {
            var space = value.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !value.AsSpan(0, space).Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var token = value[(space + 1)..].Trim();
            if (_received.Contains(token))
            {
                Refuse(destination, "passthrough", $"Refused to send the access token this server received to '{Origin(destination)}': MCP servers must not pass tokens through. Exchange it for a token issued for that resource (ITokenExchanger).");
            }

            var audiences = ReadAudiences(token);
            if (audiences is null)
            {
                if (!_options.AllowOpaqueTokens)
                {
                    Refuse(destination, "opaque", $"Refused to send a bearer token to '{Origin(destination)}': it is not a JWT, so its audience cannot be checked. Set TokenPassthroughGuardOptions.AllowOpaqueTokens if such tokens are intended.");
                }

                continue;
            }

            if (destination is null || !audiences.Any(a => Names(a, destination)))
            {
                Refuse(destination, "audience", $"Refused to send a bearer token to '{Origin(destination)}': its audience does not name that resource. Use a token issued for the destination (ITokenExchanger).");
            }
        }
    }

    private void Refuse(Uri? destination, string reason, string message)
    {
        LogRefused(_logger, Origin(destination), reason);
        throw new TokenPassthroughException(message);
    }

    private static string Origin(Uri? uri) => uri is { IsAbsoluteUri: true } ? uri.GetLeftPart(UriPartial.Authority) : "(no destination)";

    private static bool Names(string audience, Uri destination)
    {
        if (!ResourceIndicator.TryParse(audience, out var resource)
            || !ResourceIndicator.TryParse(destination.GetLeftPart(UriPartial.Path), out var target))
        {
            return false;
        }

        var a = resource.Value;
        var t = target.Value;
        if (string.Equals(a, t, StringComparison.Ordinal))
        {
            return true;
        }

        // The audience is the origin, or a path prefix of the destination ending at a segment boundary.
        return t.StartsWith(a, StringComparison.Ordinal) && t.Length > a.Length && t[a.Length] == '/';
    }

    private static List<string>? ReadAudiences(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || !Base64Url.TryDecode(parts[1], out var payload) || !System.Text.Unicode.Utf8.IsValid(payload))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            var result = new List<string>();
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("aud", out var aud))
            {
                if (aud.ValueKind == JsonValueKind.String)
                {
                    result.Add(aud.GetString()!);
                }
                else if (aud.ValueKind == JsonValueKind.Array)
                {
                    result.AddRange(aud.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!));
                }
            }

            return result;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 321, Level = LogLevel.Warning, Message = "Audit: refused an outgoing bearer token to {Destination} ({Reason}).")]
    private static partial void LogRefused(ILogger logger, string destination, string reason);
}
