using System.Buffers;
using static McpPolicy.Schemas.Secrets.TextRuns;

namespace McpPolicy.Schemas.Secrets;

/// <summary>
/// Finds secret-looking text in one UTF-8 string with hand-written scanners (no regular expressions). Known formats are anchored on
/// their prefix at the start of a token, and every look-ahead and look-behind is bounded, so a scan is linear in the text.
/// </summary>
internal static class SecretScanner
{
    private const int MaxTokenRun = 512;

    private static readonly SearchValues<byte> Alnum = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"u8);

    // Fewer different characters than this in a key body means a placeholder (ghp_xxxx…, AKIAAAAA…), not a key.
    private const int MinVariety = 6;

    /// <summary>Scans <paramref name="text"/>. A known format wins over an assignment, which wins over entropy.</summary>
    /// <param name="text">The string, unescaped, as UTF-8.</param>
    /// <param name="settings">The detectors and thresholds.</param>
    /// <param name="name">How the property holding the string is named, when the string is a property value.</param>
    /// <returns>What the text looks like, or <see cref="SecretKind.None"/>.</returns>
    public static SecretKind Scan(ReadOnlySpan<byte> text, SecretScanSettings settings, SecretName name)
    {
        var detectors = settings.Detectors;
        var assignment = CredentialAssignment.JudgeNamedValue(text, name, detectors);
        var lookForAssignments = (detectors & (SecretDetectors.CredentialAssignments | SecretDetectors.AwsKeys | SecretDetectors.UrlCredentials)) != 0;
        var i = 0;
        while (i < text.Length)
        {
            var b = text[i];
            if (IsAlnum(b))
            {
                // Every known format starts a token, so only token starts are looked at; the rest of the run is skipped in bulk,
                // which keeps branch-heavy work off random-looking text such as base64.
                var found = TokenAt(text, i, detectors);
                if (found != SecretKind.None)
                {
                    return found;
                }

                var run = text[i..].IndexOfAnyExcept(Alnum);
                i = run < 0 ? text.Length : i + run;
                continue;
            }

            if (b == '-' && (detectors & SecretDetectors.PrivateKeys) != 0 && PemPrivateKeyAt(text, i) is var key and not SecretKind.None)
            {
                return key;
            }

            if (b is (byte)'=' or (byte)':' && lookForAssignments && assignment == SecretKind.None)
            {
                assignment = CredentialAssignment.At(text, i, detectors);
            }

            i++;
        }

        if (assignment != SecretKind.None)
        {
            return assignment;
        }

        // A digest's value is random by design; known formats inside it were looked for above.
        return (detectors & SecretDetectors.HighEntropyStrings) != 0 && name != SecretName.Digest
            ? EntropyDetector.Scan(text, settings.EntropyThresholds)
            : SecretKind.None;
    }

    /// <summary>Looks for a known format starting at <paramref name="i"/>, the first byte of an alphanumeric run.</summary>
    private static SecretKind TokenAt(ReadOnlySpan<byte> text, int i, SecretDetectors detectors) => text[i] switch
    {
        (byte)'P' => (detectors & SecretDetectors.PrivateKeys) != 0 ? PuttyPrivateKeyAt(text, i) : SecretKind.None,
        (byte)'A' => AwsOrGoogleAt(text, i, detectors),
        (byte)'g' => GitHubOrGitLabAt(text, i, detectors),
        (byte)'n' => (detectors & SecretDetectors.NpmTokens) != 0 ? NpmTokenAt(text, i) : SecretKind.None,
        (byte)'x' => (detectors & SecretDetectors.SlackTokens) != 0 ? SlackTokenAt(text, i) : SecretKind.None,
        (byte)'s' or (byte)'r' => SkKeyAt(text, i, detectors),
        (byte)'e' => (detectors & SecretDetectors.JsonWebTokens) != 0 ? JsonWebTokenAt(text, i) : SecretKind.None,
        _ => SecretKind.None,
    };

    // -----BEGIN RSA PRIVATE KEY----- (and EC, DSA, ENCRYPTED, plain PKCS#8), OPENSSH PRIVATE KEY, PGP PRIVATE KEY BLOCK,
    // followed by a key body; a header alone (as in code that parses keys) is not a key.
    private static SecretKind PemPrivateKeyAt(ReadOnlySpan<byte> text, int i)
    {
        var rest = text[i..];
        if (!rest.StartsWith("-----BEGIN "u8))
        {
            return SecretKind.None;
        }

        rest = rest[11..];
        var dashes = rest[..Math.Min(rest.Length, 48)].IndexOf("-----"u8);
        if (dashes < 0)
        {
            return SecretKind.None;
        }

        var label = rest[..dashes];
        SecretKind kind;
        if (label.SequenceEqual("OPENSSH PRIVATE KEY"u8))
        {
            kind = SecretKind.OpenSshPrivateKey;
        }
        else if (label.SequenceEqual("PGP PRIVATE KEY BLOCK"u8))
        {
            kind = SecretKind.PgpPrivateKey;
        }
        else if (label.EndsWith("PRIVATE KEY"u8) && IsPemLabel(label))
        {
            kind = SecretKind.PemPrivateKey;
        }
        else
        {
            return SecretKind.None;
        }

        return HasKeyBody(rest[(dashes + 5)..]) ? kind : SecretKind.None;
    }

    private static bool IsPemLabel(ReadOnlySpan<byte> label)
    {
        foreach (var b in label)
        {
            if (!IsUpperAlnum(b) && b != ' ')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when, after blank space and at most eight "Name: value" header lines (Proc-Type, DEK-Info, Version, Comment), a run of
    /// at least 32 base64 characters follows. Line breaks may be real or written as the two characters \n.
    /// </summary>
    private static bool HasKeyBody(ReadOnlySpan<byte> body)
    {
        body = body[..Math.Min(body.Length, 1024)];
        var pos = 0;
        for (var headers = 0; headers <= 8; headers++)
        {
            pos = SkipBlank(body, pos);
            if (Base64Run(body, pos, 32) >= 32)
            {
                return true;
            }

            // Header lines are short; a long line that is not base64 ends the search (and bounds the work per "-----BEGIN").
            var lineEnd = LineEnd(body, pos);
            if (lineEnd - pos > 128 || body[pos..lineEnd].IndexOf((byte)':') < 0)
            {
                return false;
            }

            pos = lineEnd;
        }

        return false;
    }

    private static int SkipBlank(ReadOnlySpan<byte> text, int pos)
    {
        while (pos < text.Length)
        {
            var b = text[pos];
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                pos++;
            }
            else if (b == '\\' && pos + 1 < text.Length && text[pos + 1] is (byte)'n' or (byte)'r')
            {
                pos += 2;
            }
            else
            {
                break;
            }
        }

        return pos;
    }

    private static int LineEnd(ReadOnlySpan<byte> text, int pos)
    {
        var limit = Math.Min(text.Length, pos + 129);
        while (pos < limit && text[pos] is not ((byte)'\r' or (byte)'\n') && !(text[pos] == '\\' && pos + 1 < text.Length && text[pos + 1] is (byte)'n' or (byte)'r'))
        {
            pos++;
        }

        return pos;
    }

    // A .ppk file: "PuTTY-User-Key-File-3: ssh-ed25519" and, within the next few kilobytes, its "Private-Lines:".
    private static SecretKind PuttyPrivateKeyAt(ReadOnlySpan<byte> text, int i)
    {
        var rest = text[i..];
        if (!rest.StartsWith("PuTTY-User-Key-File-"u8) || rest.Length <= 21 || !char.IsAsciiDigit((char)rest[20]) || rest[21] != ':')
        {
            return SecretKind.None;
        }

        rest = rest[22..];
        return rest[..Math.Min(rest.Length, 8192)].IndexOf("Private-Lines:"u8) >= 0 ? SecretKind.PuttyPrivateKey : SecretKind.None;
    }

    // AKIA/ASIA + 16 upper-case letters or digits; AIza + 35 base64url characters.
    private static SecretKind AwsOrGoogleAt(ReadOnlySpan<byte> text, int i, SecretDetectors detectors)
    {
        if (!StartsToken(text, i) || i + 4 > text.Length)
        {
            return SecretKind.None;
        }

        var prefix = text.Slice(i, 4);
        if ((detectors & SecretDetectors.AwsKeys) != 0 && (prefix.SequenceEqual("AKIA"u8) || prefix.SequenceEqual("ASIA"u8)))
        {
            var n = 0;
            while (n < 16 && i + 4 + n < text.Length && IsUpperAlnum(text[i + 4 + n]))
            {
                n++;
            }

            // AKIAIOSFODNN7EXAMPLE and its kin are the documented examples, not keys.
            var body = text.Slice(i + 4, n);
            if (n == 16 && !IsAlnum(After(text, i + 20)) && HasVariety(body, MinVariety) && !body.EndsWith("EXAMPLE"u8))
            {
                return SecretKind.AwsAccessKeyId;
            }
        }
        else if ((detectors & SecretDetectors.GoogleApiKeys) != 0 && prefix.SequenceEqual("AIza"u8)
            && Base64UrlRun(text, i + 4, 36) == 35 && HasVariety(text.Slice(i + 4, 35), MinVariety))
        {
            return SecretKind.GoogleApiKey;
        }

        return SecretKind.None;
    }

    // ghp_/gho_/ghu_/ghs_/ghr_ + 36 or more alphanumerics; github_pat_ + 22 or more word characters; glpat- + 20 or more.
    private static SecretKind GitHubOrGitLabAt(ReadOnlySpan<byte> text, int i, SecretDetectors detectors)
    {
        if (!StartsToken(text, i))
        {
            return SecretKind.None;
        }

        var rest = text[i..];
        if ((detectors & SecretDetectors.GitHubTokens) != 0)
        {
            if (rest.Length >= 4 && rest[1] == 'h' && rest[2] is (byte)'p' or (byte)'o' or (byte)'u' or (byte)'s' or (byte)'r' && rest[3] == '_'
                && AlnumRun(text, i + 4, MaxTokenRun) is var classic and >= 36 && HasVariety(text.Slice(i + 4, classic), MinVariety))
            {
                return SecretKind.GitHubToken;
            }

            if (rest.StartsWith("github_pat_"u8) && WordRun(text, i + 11, MaxTokenRun) is var fineGrained and >= 22
                && HasVariety(text.Slice(i + 11, fineGrained), MinVariety))
            {
                return SecretKind.GitHubToken;
            }
        }

        if ((detectors & SecretDetectors.GitLabTokens) != 0 && rest.StartsWith("glpat-"u8) && Base64UrlRun(text, i + 6, MaxTokenRun) is var gitlab and >= 20
            && HasVariety(text.Slice(i + 6, gitlab), MinVariety))
        {
            return SecretKind.GitLabToken;
        }

        return SecretKind.None;
    }

    // npm_ + 36 alphanumerics.
    private static SecretKind NpmTokenAt(ReadOnlySpan<byte> text, int i)
        => StartsToken(text, i) && text[i..].StartsWith("npm_"u8) && AlnumRun(text, i + 4, MaxTokenRun) is var n and >= 36
            && HasVariety(text.Slice(i + 4, n), MinVariety) ? SecretKind.NpmToken : SecretKind.None;

    // xoxb-/xoxa-/xoxp-/xoxr-/xoxs- + at least 10 of letters, digits and '-', with a digit among them.
    private static SecretKind SlackTokenAt(ReadOnlySpan<byte> text, int i)
    {
        var rest = text[i..];
        if (!StartsToken(text, i) || rest.Length < 15 || !rest.StartsWith("xox"u8) || rest[3] is not ((byte)'b' or (byte)'a' or (byte)'p' or (byte)'r' or (byte)'s') || rest[4] != '-')
        {
            return SecretKind.None;
        }

        var n = 0;
        var digit = false;
        for (var j = 5; j < rest.Length && n < MaxTokenRun && (IsAlnum(rest[j]) || rest[j] == '-'); j++, n++)
        {
            digit |= char.IsAsciiDigit((char)rest[j]);
        }

        return n >= 10 && digit && HasVariety(rest.Slice(5, n), MinVariety) ? SecretKind.SlackToken : SecretKind.None;
    }

    // sk_live_/rk_live_ + 20 or more alphanumerics (Stripe); sk-ant- + a random body (Anthropic); sk- + a random body (OpenAI style).
    private static SecretKind SkKeyAt(ReadOnlySpan<byte> text, int i, SecretDetectors detectors)
    {
        var rest = text[i..];
        if (!StartsToken(text, i) || rest.Length < 3 || rest[1] != 'k')
        {
            return SecretKind.None;
        }

        if ((detectors & SecretDetectors.StripeKeys) != 0 && rest[2..].StartsWith("_live_"u8) && AlnumRun(text, i + 8, MaxTokenRun) is var stripe and >= 20
            && HasVariety(text.Slice(i + 8, stripe), MinVariety))
        {
            return SecretKind.StripeKey;
        }

        if (rest[0] != 's' || rest[2] != '-')
        {
            return SecretKind.None;
        }

        if (rest.StartsWith("sk-ant-"u8))
        {
            return (detectors & SecretDetectors.AnthropicKeys) != 0 && IsRandomKeyBody(text, i + 7) ? SecretKind.AnthropicKey : SecretKind.None;
        }

        return (detectors & SecretDetectors.OpenAIKeys) != 0 && IsRandomKeyBody(text, i + 3) ? SecretKind.OpenAIKey : SecretKind.None;
    }

    /// <summary>
    /// At least 32 base64url characters with a digit, an unbroken alphanumeric stretch of 20 or more and some variety: a random key
    /// body, not a kebab-case name such as <c>sk-learn-classification-tutorial</c>.
    /// </summary>
    private static bool IsRandomKeyBody(ReadOnlySpan<byte> text, int start)
    {
        var length = Base64UrlRun(text, start, MaxTokenRun);
        if (length < 32)
        {
            return false;
        }

        var digit = false;
        int stretch = 0, longest = 0;
        foreach (var b in text.Slice(start, length))
        {
            digit |= char.IsAsciiDigit((char)b);
            stretch = IsAlnum(b) ? stretch + 1 : 0;
            longest = Math.Max(longest, stretch);
        }

        return digit && longest >= 20 && HasVariety(text.Slice(start, length), MinVariety);
    }

    // header.payload.signature in base64url, the header decoding to a JSON object with an "alg" member.
    private static SecretKind JsonWebTokenAt(ReadOnlySpan<byte> text, int i)
    {
        // A header starts with '{' and then '"', a space or a line break, which base64url-encode to "ey" or "ew".
        if ((i > 0 && IsBase64Url(text[i - 1])) || After(text, i + 1) is not ((byte)'y' or (byte)'w'))
        {
            return SecretKind.None;
        }

        var header = Base64UrlRun(text, i, 2048);
        var dot = i + header;
        if (header < 10 || After(text, dot) != '.')
        {
            return SecretKind.None;
        }

        var payload = Base64UrlRun(text, dot + 1, int.MaxValue);
        if (payload < 2 || After(text, dot + 1 + payload) != '.')
        {
            return SecretKind.None;
        }

        return Base64Text.IsJoseHeader(text.Slice(i, header)) ? SecretKind.JsonWebToken : SecretKind.None;
    }
}
