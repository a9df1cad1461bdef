using System.Net;

namespace McpPolicy.Tokens;

/// <summary>Follows redirects itself so each hop is checked: scheme, count, and (through the inner handler) the address.</summary>
internal sealed class SsrfRedirectHandler : DelegatingHandler
{
    private readonly SsrfGuardOptions _options;

    public SsrfRedirectHandler(SsrfGuardOptions options, HttpMessageHandler inner)
        : base(inner)
    {
        _options = options;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        CheckScheme(request.RequestUri);
        var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        var current = request;
        var redirects = 0;
        try
        {
            while (_options.MaxRedirects > 0 && IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
            {
                if (++redirects > _options.MaxRedirects)
                {
                    response.Dispose();
                    throw new HttpRequestException($"Stopped after {_options.MaxRedirects} redirects (SsrfGuardOptions.MaxRedirects).");
                }

                var target = location.IsAbsoluteUri ? location : new Uri(current.RequestUri!, location);
                CheckScheme(target);
                var next = CreateRedirect(current, target, response.StatusCode);
                response.Dispose();
                Release(current, request);
                current = next;
                response = await SendCheckedAsync(current, cancellationToken).ConfigureAwait(false);
            }

            return response;
        }
        finally
        {
            Release(current, request);
        }
    }

    /// <summary>Disposes a redirect's request but not its body, which belongs to the caller's original request.</summary>
    private static void Release(HttpRequestMessage hop, HttpRequestMessage original)
    {
        if (!ReferenceEquals(hop, original))
        {
            hop.Content = null;
            hop.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // HTTP/3 runs over QUIC, which does not go through the connect callback: keep every request on HTTP/1.1 or HTTP/2.
        if (request.Version.Major >= 3 || request.VersionPolicy == HttpVersionPolicy.RequestVersionOrHigher)
        {
            request.Version = request.Version.Major >= 3 ? HttpVersion.Version20 : request.Version;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        }

        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is BlockedDestinationException blocked)
        {
            // Surface the guard's own exception, with its explanation, rather than the socket handler's wrapper.
            throw new BlockedDestinationException(blocked.Message, ex);
        }
    }

    private void CheckScheme(Uri? uri)
    {
        if (uri is null || !uri.IsAbsoluteUri)
        {
            throw new BlockedDestinationException("Refused a request without an absolute URI.");
        }

        var https = string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase);
        if (!https && (_options.HttpsOnly || !string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase)))
        {
            throw new BlockedDestinationException(_options.HttpsOnly
                ? $"Refused a request to '{uri}': only https is allowed (SsrfGuardOptions.HttpsOnly)."
                : $"Refused a request to '{uri}': only http and https are allowed.");
        }
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static HttpRequestMessage CreateRedirect(HttpRequestMessage previous, Uri target, HttpStatusCode status)
    {
        // 303, and 301/302 after a POST, become a GET without a body (as browsers and HttpClient do); 307/308 keep both.
        var keepMethod = status is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect
            || (previous.Method != HttpMethod.Post && status != HttpStatusCode.SeeOther);
        var next = new HttpRequestMessage(keepMethod ? previous.Method : HttpMethod.Get, target)
        {
            Version = previous.Version,
            VersionPolicy = previous.VersionPolicy,
            Content = keepMethod ? previous.Content : null,
        };
        var sameOrigin = Uri.Compare(previous.RequestUri, target, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0;
        foreach (var header in previous.Headers)
        {
            if (header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)
                || (!sameOrigin && (header.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || header.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase))))
            {
                continue;
            }

            next.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return next;
    }
}
