using System.Buffers;
using System.Text;
using McpPolicy.Schemas;
using Microsoft.Extensions.Options;

namespace McpPolicy.Schemas.Secrets;

/// <summary>
/// Replaces secret-looking values in result text with <c>[redacted:kind]</c>, using <see cref="SecretScanner"/>. The whole text is
/// scanned first (no allocation beyond a pooled buffer when nothing is found). When something is, private-key blocks, then
/// white-space separated tokens, then short windows of two to four tokens (for <c>password: hunter2</c> and
/// <c>Authorization: Bearer …</c>) are scanned to find the value; only the value is replaced. The result is scanned again, and if
/// anything is still found the whole text is replaced, so a secret the localisation missed is never passed on.
/// </summary>
internal sealed class SecretResultRedactor : IResultRedactor
{
    private const int MaxWindowTokens = 4;

    private readonly SecretScanSettings _settings;

    public SecretResultRedactor(IOptions<SecretRedactionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        _settings = SecretScanSettings.From(new SecretDetectionOptions
        {
            Detectors = value.Detectors,
            EntropyThreshold = value.EntropyThreshold,
        });
    }

    /// <summary>The marker that replaces a value of <paramref name="kind"/>, such as <c>[redacted:github-token]</c>.</summary>
    public static string Marker(SecretKind kind) => kind switch
    {
        SecretKind.PemPrivateKey => "[redacted:private-key]",
        SecretKind.OpenSshPrivateKey => "[redacted:openssh-private-key]",
        SecretKind.PgpPrivateKey => "[redacted:pgp-private-key]",
        SecretKind.PuttyPrivateKey => "[redacted:putty-private-key]",
        SecretKind.AwsAccessKeyId => "[redacted:aws-access-key-id]",
        SecretKind.AwsSecretAccessKey => "[redacted:aws-secret-access-key]",
        SecretKind.GitHubToken => "[redacted:github-token]",
        SecretKind.GitLabToken => "[redacted:gitlab-token]",
        SecretKind.NpmToken => "[redacted:npm-token]",
        SecretKind.SlackToken => "[redacted:slack-token]",
        SecretKind.StripeKey => "[redacted:stripe-key]",
        SecretKind.GoogleApiKey => "[redacted:google-api-key]",
        SecretKind.OpenAIKey => "[redacted:openai-key]",
        SecretKind.AnthropicKey => "[redacted:anthropic-key]",
        SecretKind.JsonWebToken => "[redacted:jwt]",
        SecretKind.CredentialAssignment => "[redacted:credential]",
        SecretKind.UrlCredentials => "[redacted:url-password]",
        SecretKind.HighEntropyString => "[redacted:high-entropy]",
        _ => "[redacted:secret]",
    };

    public bool TryRedact(ReadOnlySpan<char> text, ToolInvocationContext context, out string redacted, out int count)
    {
        redacted = string.Empty;
        count = 0;
        var kind = Scan(text);
        if (kind == SecretKind.None)
        {
            return false;
        }

        redacted = RedactValues(text, out count);
        var left = Scan(redacted);
        if (left != SecretKind.None || count == 0)
        {
            redacted = Marker(left != SecretKind.None ? left : kind);
            count = 1;
        }

        return true;
    }

    private SecretKind Scan(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return SecretKind.None;
        }

        var length = Encoding.UTF8.GetByteCount(text);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(text, buffer);
            return SecretScanner.Scan(buffer.AsSpan(0, written), _settings, SecretName.None);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private string RedactValues(ReadOnlySpan<char> text, out int count)
    {
        var keys = PrivateKeyBlocks(text);
        var tokens = Tokens(text, keys);
        var ranges = new List<(int Start, int End, SecretKind Kind)>(keys);
        var flagged = new bool[tokens.Count];

        // A token that is a secret on its own: a key format, an assignment written without spaces, a URL with a password.
        for (var t = 0; t < tokens.Count; t++)
        {
            var (start, end) = Core(text, tokens[t].Start, tokens[t].End);
            var found = Scan(text[start..end]);
            if (found != SecretKind.None)
            {
                ranges.Add(ValueRange(text, start, end, found));
                flagged[t] = true;
            }
        }

        // An assignment spread over a few tokens of one stretch of text: "password: hunter2", "Authorization: Bearer abc".
        for (var t = 0; t < tokens.Count; t++)
        {
            for (var w = 1; w < MaxWindowTokens && t + w < tokens.Count && tokens[t + w].Segment == tokens[t].Segment && !flagged[t + w - 1]; w++)
            {
                if (flagged[t + w])
                {
                    break;
                }

                var found = Scan(text[tokens[t].Start..tokens[t + w].End]);
                if (found is not (SecretKind.CredentialAssignment or SecretKind.AwsSecretAccessKey))
                {
                    continue;
                }

                var last = t + w;
                if (last + 1 < tokens.Count && tokens[last + 1].Segment == tokens[t].Segment && !flagged[last + 1]
                    && IsScheme(text[tokens[last].Start..tokens[last].End]))
                {
                    last++;
                }

                // Not marked as flagged: a window that starts later may hold the real value ("token: Authorization: Basic …"),
                // so every start is looked at, and every smallest flagged window loses its last token.
                var (valueStart, valueEnd) = Core(text, tokens[last].Start, tokens[last].End);
                ranges.Add((valueStart, valueEnd, found));
                break;
            }
        }

        ranges.Sort((a, b) => a.Start.CompareTo(b.Start));
        var builder = new StringBuilder(text.Length);
        var copied = 0;
        count = 0;
        foreach (var (start, end, found) in ranges)
        {
            if (start < copied || end <= start)
            {
                continue;
            }

            builder.Append(text[copied..start]).Append(Marker(found));
            copied = end;
            count++;
        }

        builder.Append(text[copied..]);
        return builder.ToString();
    }

    /// <summary>White-space separated tokens outside key blocks; tokens between the same two key blocks share a segment.</summary>
    private static List<(int Start, int End, int Segment)> Tokens(ReadOnlySpan<char> text, List<(int Start, int End, SecretKind Kind)> keys)
    {
        var tokens = new List<(int, int, int)>();
        var k = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (k < keys.Count && i >= keys[k].Start)
            {
                i = keys[k++].End;
                continue;
            }

            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var limit = k < keys.Count ? keys[k].Start : text.Length;
            while (i < limit && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            tokens.Add((start, i, k));
        }

        return tokens;
    }

    /// <summary>PEM, OpenSSH and PGP private-key blocks: from <c>-----BEGIN …PRIVATE KEY…-----</c> through the matching END line (or the end of the text).</summary>
    private List<(int Start, int End, SecretKind Kind)> PrivateKeyBlocks(ReadOnlySpan<char> text)
    {
        var blocks = new List<(int, int, SecretKind)>();
        var p = 0;
        while (p < text.Length)
        {
            var found = text[p..].IndexOf("-----BEGIN ", StringComparison.Ordinal);
            if (found < 0)
            {
                break;
            }

            var start = p + found;
            var labelStart = start + 11;
            var dashes = text[labelStart..Math.Min(text.Length, labelStart + 48)].IndexOf("-----", StringComparison.Ordinal);
            if (dashes < 0 || !text.Slice(labelStart, dashes).Contains("PRIVATE KEY", StringComparison.Ordinal))
            {
                p = labelStart;
                continue;
            }

            var bodyStart = labelStart + dashes + 5;
            var endLine = text[bodyStart..].IndexOf("-----END ", StringComparison.Ordinal);
            var end = text.Length;
            if (endLine >= 0)
            {
                var closeFrom = bodyStart + endLine + 9;
                var close = text[closeFrom..].IndexOf("-----", StringComparison.Ordinal);
                end = close < 0 ? text.Length : closeFrom + close + 5;
            }

            var kind = Scan(text[start..end]);
            if (kind == SecretKind.None)
            {
                p = labelStart;
                continue;
            }

            blocks.Add((start, end, kind));
            p = end;
        }

        AddPuttyKeys(text, blocks);
        blocks.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return blocks;
    }

    /// <summary>PuTTY key files: from <c>PuTTY-User-Key-File-</c> through the lines its <c>Private-Lines: N</c> header announces.</summary>
    private void AddPuttyKeys(ReadOnlySpan<char> text, List<(int Start, int End, SecretKind Kind)> blocks)
    {
        var p = 0;
        while (p < text.Length)
        {
            var found = text[p..].IndexOf("PuTTY-User-Key-File-", StringComparison.Ordinal);
            if (found < 0)
            {
                return;
            }

            var start = p + found;
            var window = text[start..Math.Min(text.Length, start + 8192)];
            var header = window.IndexOf("Private-Lines:", StringComparison.Ordinal);
            if (header < 0)
            {
                p = start + 20;
                continue;
            }

            var end = start + header + 14;
            var digits = end;
            while (digits < text.Length && text[digits] == ' ')
            {
                digits++;
            }

            var lines = 0;
            while (digits < text.Length && char.IsAsciiDigit(text[digits]) && lines < 10_000)
            {
                lines = (lines * 10) + (text[digits++] - '0');
            }

            end = digits;
            for (var line = 0; line <= lines && end < text.Length; line++)
            {
                var newline = text[end..].IndexOf('\n');
                end = newline < 0 ? text.Length : end + newline + 1;
            }

            if (Scan(text[start..end]) is var kind and not SecretKind.None && !Overlaps(blocks, start, end))
            {
                blocks.Add((start, end, kind));
            }

            p = end;
        }
    }

    private static bool Overlaps(List<(int Start, int End, SecretKind Kind)> blocks, int start, int end)
    {
        foreach (var block in blocks)
        {
            if (start < block.End && block.Start < end)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The part of a token that is the value: an assignment's right side, a URL's password, or the token without quotes and brackets.</summary>
    private (int Start, int End, SecretKind Kind) ValueRange(ReadOnlySpan<char> text, int start, int end, SecretKind kind)
    {
        var token = text[start..end];
        if (kind == SecretKind.UrlCredentials)
        {
            var scheme = token.IndexOf("://", StringComparison.Ordinal);
            var at = scheme < 0 ? -1 : token[(scheme + 3)..].IndexOf('@');
            var colon = at > 0 ? token.Slice(scheme + 3, at).IndexOf(':') : -1;
            if (colon >= 0 && colon + 1 < at)
            {
                // Only the password: the user name stays, and the marker in the password's place is not itself a password.
                return (start + scheme + 3 + colon + 1, start + scheme + 3 + at, kind);
            }
        }
        else if (kind is SecretKind.CredentialAssignment or SecretKind.AwsSecretAccessKey)
        {
            // Each "name=value" or "name:value" part of the token (split at ? & ; , as in query strings) is judged on its own;
            // the first that holds the finding gives the value to replace.
            var partStart = 0;
            for (var i = 0; i <= token.Length; i++)
            {
                if (i < token.Length && token[i] is not ('&' or ';' or ',' or '?'))
                {
                    continue;
                }

                var part = token[partStart..i];
                var separator = part.IndexOfAny('=', ':');
                if (separator > 0 && separator + 1 < part.Length && Scan(part) != SecretKind.None)
                {
                    var (valueStart, valueEnd) = Core(text, start + partStart + separator + 1, start + i);
                    if (valueEnd > valueStart)
                    {
                        return (valueStart, valueEnd, kind);
                    }
                }

                partStart = i + 1;
            }
        }

        return (start, end, kind);
    }

    /// <summary>Trims quotes, brackets and trailing punctuation from a token.</summary>
    private static (int Start, int End) Core(ReadOnlySpan<char> text, int start, int end)
    {
        while (start < end && text[start] is '"' or '\'' or '`' or '(' or '[' or '{' or '<' or '=' or ':')
        {
            start++;
        }

        while (end > start && text[end - 1] is '"' or '\'' or '`' or ')' or ']' or '}' or '>' or ',' or ';' or '.')
        {
            end--;
        }

        return (start, end);
    }

    private static bool IsScheme(ReadOnlySpan<char> token)
        => token.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || token.Equals("Basic", StringComparison.OrdinalIgnoreCase)
            || token.Equals("Token", StringComparison.OrdinalIgnoreCase) || token.Equals("Digest", StringComparison.OrdinalIgnoreCase);
}
