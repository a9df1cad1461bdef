using static McpPolicy.Schemas.Secrets.TextRuns;

namespace McpPolicy.Schemas.Secrets;

/// <summary>
/// Finds non-trivial values given to secret names: <c>password=…</c>, <c>"api_key": "…"</c>, <c>Authorization: Bearer …</c>,
/// <c>aws_secret_access_key = …</c>, and passwords inside URLs (<c>scheme://user:password@host</c>).
/// </summary>
/// <remarks>
/// A value counts when it has at least 8 characters, 5 distinct ones, no white space, letters and digits (or three character
/// classes), and is not a placeholder (<c>$VAR</c>, <c>${…}</c>, <c>&lt;token&gt;</c>, <c>{{…}}</c>, <c>%VAR%</c>, <c>****</c>,
/// "example", "your…", "changeme"…), a path or a URL. An unquoted value must also not be a member access, a call or an index
/// (<c>token = self.token</c>, <c>password = read()</c>, <c>password: parts[2]</c>).
/// </remarks>
internal static class CredentialAssignment
{
    private const int MaxNameLength = 64;
    private const int MaxValueLength = 256;

    // Names are compared in lower case with '_', '-' and '.' ignored, on their end: "DB_PASSWORD", "x-api-key", "clientSecret".
    private static readonly byte[][] CredentialNames =
    [
        "password"u8.ToArray(), "passwd"u8.ToArray(), "passphrase"u8.ToArray(), "secret"u8.ToArray(), "token"u8.ToArray(),
        "apikey"u8.ToArray(), "accesskey"u8.ToArray(), "secretkey"u8.ToArray(), "privatekey"u8.ToArray(),
    ];

    // Token-named values that are not credentials: paging cursors, .NET strong-name key tokens, cancellation tokens.
    private static readonly byte[][] NotCredentialNames =
    [
        "publickeytoken"u8.ToArray(), "pagetoken"u8.ToArray(), "nexttoken"u8.ToArray(), "continuationtoken"u8.ToArray(),
        "cancellationtoken"u8.ToArray(), "synctoken"u8.ToArray(), "resumetoken"u8.ToArray(),
    ];

    // Names of digests, whose values look random by design: "contentHash", "integrity", "sha256", "ETag".
    private static readonly byte[][] DigestNames =
    [
        "hash"u8.ToArray(), "digest"u8.ToArray(), "checksum"u8.ToArray(), "integrity"u8.ToArray(), "sha1"u8.ToArray(),
        "sha256"u8.ToArray(), "sha384"u8.ToArray(), "sha512"u8.ToArray(), "md5"u8.ToArray(), "etag"u8.ToArray(),
    ];

    private static readonly byte[][] Placeholders =
    [
        "example"u8.ToArray(), "changeme"u8.ToArray(), "change_me"u8.ToArray(), "placeholder"u8.ToArray(), "redacted"u8.ToArray(),
        "xxxx"u8.ToArray(), "****"u8.ToArray(), "dummy"u8.ToArray(), "sample"u8.ToArray(), "your"u8.ToArray(), "${"u8.ToArray(),
        "{{"u8.ToArray(), "://"u8.ToArray(),
    ];

    private static readonly byte[][] UrlPlaceholderPasswords =
    [
        "password"u8.ToArray(), "passwd"u8.ToArray(), "pass"u8.ToArray(), "pwd"u8.ToArray(), "secret"u8.ToArray(),
        "token"u8.ToArray(),
    ];

    /// <summary>Classifies a name by how it ends.</summary>
    public static SecretName Classify(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > MaxNameLength * 4)
        {
            return SecretName.None;
        }

        if (EndsWith(name, "secretaccesskey"u8))
        {
            return SecretName.AwsSecretAccessKey;
        }

        if (EndsWith(name, "authorization"u8))
        {
            return SecretName.Authorization;
        }

        foreach (var credential in CredentialNames)
        {
            if (EndsWith(name, credential))
            {
                foreach (var excluded in NotCredentialNames)
                {
                    if (EndsWith(name, excluded))
                    {
                        return SecretName.None;
                    }
                }

                return SecretName.Credential;
            }
        }

        foreach (var digest in DigestNames)
        {
            if (EndsWith(name, digest))
            {
                return SecretName.Digest;
            }
        }

        return SecretName.None;
    }

    /// <summary>
    /// Classifies the name a value at <paramref name="valueStart"/> is assigned to in text (<c>"contentHash": "…"</c>,
    /// <c>sha256=…</c>), or <see cref="SecretName.None"/> when no assignment precedes it.
    /// </summary>
    public static SecretName NameBefore(ReadOnlySpan<byte> text, int valueStart)
    {
        var j = valueStart - 1;
        if (j >= 0 && text[j] is (byte)'"' or (byte)'\'')
        {
            j--;
        }

        j = SkipSpacesBack(text, j);
        if (j < 0 || text[j] is not ((byte)':' or (byte)'='))
        {
            return SecretName.None;
        }

        j = SkipSpacesBack(text, j - 1);
        if (j >= 0 && text[j] is (byte)'"' or (byte)'\'')
        {
            j--;
        }

        var nameStart = j + 1;
        while (nameStart > 0 && j - nameStart < MaxNameLength && IsNameByte(text[nameStart - 1]))
        {
            nameStart--;
        }

        return Classify(text[nameStart..(j + 1)]);
    }

    private static int SkipSpacesBack(ReadOnlySpan<byte> text, int j)
    {
        while (j >= 0 && text[j] is (byte)' ' or (byte)'\t')
        {
            j--;
        }

        return j;
    }

    /// <summary>Judges a whole string held by a property with a secret name.</summary>
    public static SecretKind JudgeNamedValue(ReadOnlySpan<byte> value, SecretName name, SecretDetectors detectors)
    {
        if (name is not (SecretName.Credential or SecretName.Authorization or SecretName.AwsSecretAccessKey))
        {
            return SecretKind.None;
        }

        value = value.Trim(" \t\r\n"u8);
        if (name == SecretName.Authorization)
        {
            value = value[SkipScheme(value, 0)..];
        }

        return Judge(value, quoted: true, name, detectors);
    }

    /// <summary>Looks at the assignment or URL around the '=' or ':' at <paramref name="index"/>.</summary>
    public static SecretKind At(ReadOnlySpan<byte> text, int index, SecretDetectors detectors)
    {
        var separator = text[index];
        var valueStart = index + 1;
        if (separator == ':')
        {
            switch (After(text, index + 1))
            {
                case (byte)'/' when After(text, index + 2) == '/':
                    return (detectors & SecretDetectors.UrlCredentials) != 0 ? UrlPasswordAt(text, index) : SecretKind.None;
                case (byte)':':
                    return SecretKind.None;
                case (byte)'=':
                    valueStart++;
                    break;
            }
        }
        else
        {
            // The second character of ==, !=, <=, >=, := was handled (or ignored) at the first; => is an arrow.
            if ((index > 0 && text[index - 1] is (byte)'=' or (byte)'!' or (byte)'<' or (byte)'>' or (byte)':') || After(text, index + 1) == '>')
            {
                return SecretKind.None;
            }

            if (After(text, index + 1) == '=')
            {
                valueStart++;
            }
        }

        if ((detectors & (SecretDetectors.CredentialAssignments | SecretDetectors.AwsKeys)) == 0)
        {
            return SecretKind.None;
        }

        var nameEnd = index - 1;
        while (nameEnd >= 0 && text[nameEnd] is (byte)' ' or (byte)'\t')
        {
            nameEnd--;
        }

        if (nameEnd >= 0 && text[nameEnd] is (byte)'"' or (byte)'\'')
        {
            nameEnd--;
        }

        var nameStart = nameEnd + 1;
        while (nameStart > 0 && nameEnd - nameStart < MaxNameLength && IsNameByte(text[nameStart - 1]))
        {
            nameStart--;
        }

        var name = Classify(text[nameStart..(nameEnd + 1)]);
        if (name is SecretName.None or SecretName.Digest)
        {
            return SecretKind.None;
        }

        var v = SkipSpaces(text, valueStart);
        var literal = false;
        if (name == SecretName.Authorization && SkipScheme(text[v..], 0) is var scheme and > 0)
        {
            // After "Bearer " comes a credential, never an expression, even unquoted.
            v = SkipSpaces(text, v + scheme);
            literal = true;
        }

        byte quote = 0;
        if (After(text, v) is (byte)'"' or (byte)'\'' or (byte)'`')
        {
            quote = text[v++];
        }

        var limit = Math.Min(text.Length, v + MaxValueLength + 1);
        var end = v;
        while (end < limit && (quote != 0 ? text[end] != quote && text[end] is not ((byte)'\n' or (byte)'\r') : !EndsUnquotedValue(text[end])))
        {
            end++;
        }

        if (end - v > MaxValueLength || (quote == 0 && After(text, end) is (byte)'(' or (byte)'['))
        {
            return SecretKind.None;
        }

        var value = text[v..end];
        if (quote == 0)
        {
            // A period after an unquoted value ends the sentence, not the value.
            value = value.TrimEnd((byte)'.');
        }

        return Judge(value, literal || quote != 0, name, detectors);
    }

    private static SecretKind Judge(ReadOnlySpan<byte> value, bool quoted, SecretName name, SecretDetectors detectors)
    {
        if (name == SecretName.AwsSecretAccessKey && (detectors & SecretDetectors.AwsKeys) != 0 && IsAwsSecretAccessKey(value))
        {
            return SecretKind.AwsSecretAccessKey;
        }

        return (detectors & SecretDetectors.CredentialAssignments) != 0 && IsCredentialValue(value, quoted)
            ? SecretKind.CredentialAssignment
            : SecretKind.None;
    }

    private static bool IsAwsSecretAccessKey(ReadOnlySpan<byte> value)
    {
        if (value.Length != 40)
        {
            return false;
        }

        foreach (var b in value)
        {
            if (!IsAlnum(b) && b is not ((byte)'/' or (byte)'+'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsCredentialValue(ReadOnlySpan<byte> value, bool quoted)
    {
        if (value.Length is < 8 or > MaxValueLength || value[0] is (byte)'$' or (byte)'<' or (byte)'{' or (byte)'%' or (byte)'*' or (byte)'(' or (byte)'/' or (byte)'~' or (byte)'.')
        {
            return false;
        }

        bool lower = false, upper = false, digit = false, other = false;
        Span<ulong> seen = stackalloc ulong[4];
        seen.Clear();
        var distinct = 0;
        foreach (var b in value)
        {
            if (b <= ' ' || b == 0x7F || b == '\\' || (!quoted && b == '.'))
            {
                return false;
            }

            ref var word = ref seen[b >> 6];
            var bit = 1UL << (b & 63);
            if ((word & bit) == 0)
            {
                word |= bit;
                distinct++;
            }

            lower |= char.IsAsciiLetterLower((char)b);
            upper |= char.IsAsciiLetterUpper((char)b);
            digit |= char.IsAsciiDigit((char)b);
            other |= !IsAlnum(b);
        }

        var classes = (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) + (other ? 1 : 0);
        return distinct >= 5 && (((lower || upper) && digit) || classes >= 3) && !ContainsPlaceholder(value);
    }

    // scheme://user:password@host — the user information ends at the first '/', '?', '#' or white space.
    private static SecretKind UrlPasswordAt(ReadOnlySpan<byte> text, int colon)
    {
        var schemeStart = colon;
        while (schemeStart > 0 && colon - schemeStart < 32 && (IsAlnum(text[schemeStart - 1]) || text[schemeStart - 1] is (byte)'+' or (byte)'-' or (byte)'.'))
        {
            schemeStart--;
        }

        if (colon - schemeStart < 2 || !char.IsAsciiLetter((char)text[schemeStart]))
        {
            return SecretKind.None;
        }

        var start = colon + 3;
        var limit = Math.Min(text.Length, start + MaxValueLength);
        var passwordStart = -1;
        for (var k = start; k < limit; k++)
        {
            var b = text[k];
            if (b == '@')
            {
                return passwordStart >= 0 && IsUrlPassword(text[passwordStart..k]) ? SecretKind.UrlCredentials : SecretKind.None;
            }

            if (b <= ' ' || b is (byte)'/' or (byte)'?' or (byte)'#' or (byte)'"' or (byte)'\'' or (byte)'<' or (byte)'>' or (byte)'\\')
            {
                break;
            }

            if (b == ':' && passwordStart < 0)
            {
                passwordStart = k + 1;
            }
        }

        return SecretKind.None;
    }

    private static bool IsUrlPassword(ReadOnlySpan<byte> password)
    {
        if (password.Length < 4 || password[0] is (byte)'$' or (byte)'<' or (byte)'{' or (byte)'%' or (byte)'*' || ContainsPlaceholder(password))
        {
            return false;
        }

        var allDigits = true;
        foreach (var b in password)
        {
            allDigits &= char.IsAsciiDigit((char)b);
        }

        if (allDigits)
        {
            return false;
        }

        foreach (var placeholder in UrlPlaceholderPasswords)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(password, placeholder))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ContainsPlaceholder(ReadOnlySpan<byte> value)
    {
        Span<byte> lower = stackalloc byte[MaxValueLength];
        var n = Math.Min(value.Length, MaxValueLength);
        for (var k = 0; k < n; k++)
        {
            var b = value[k];
            lower[k] = char.IsAsciiLetterUpper((char)b) ? (byte)(b | 0x20) : b;
        }

        foreach (var placeholder in Placeholders)
        {
            if (lower[..n].IndexOf(placeholder) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Does <paramref name="name"/>, lower-cased with '_', '-' and '.' ignored, end with <paramref name="keyword"/>?</summary>
    private static bool EndsWith(ReadOnlySpan<byte> name, ReadOnlySpan<byte> keyword)
    {
        var k = keyword.Length - 1;
        for (var i = name.Length - 1; i >= 0 && k >= 0; i--)
        {
            var b = name[i];
            if (b is (byte)'_' or (byte)'-' or (byte)'.')
            {
                continue;
            }

            if ((char.IsAsciiLetterUpper((char)b) ? (byte)(b | 0x20) : b) != keyword[k])
            {
                return false;
            }

            k--;
        }

        return k < 0;
    }

    /// <summary>The length of an authorization scheme word and the space after it ("Bearer ", "Basic ", "token "), or 0.</summary>
    private static int SkipScheme(ReadOnlySpan<byte> value, int start)
    {
        var i = start;
        while (i < value.Length && i - start <= 16 && char.IsAsciiLetter((char)value[i]))
        {
            i++;
        }

        return i > start && i < value.Length && value[i] == ' ' ? i + 1 - start : 0;
    }

    private static int SkipSpaces(ReadOnlySpan<byte> text, int i)
    {
        while (i < text.Length && text[i] is (byte)' ' or (byte)'\t')
        {
            i++;
        }

        return i;
    }

    private static bool IsNameByte(byte b) => IsAlnum(b) || b is (byte)'_' or (byte)'-' or (byte)'.';

    private static bool EndsUnquotedValue(byte b)
        => b <= ' ' || b is (byte)',' or (byte)';' or (byte)'&' or (byte)')' or (byte)']' or (byte)'}' or (byte)'"' or (byte)'\'' or (byte)'`'
            or (byte)'<' or (byte)'>' or (byte)'(' or (byte)'[' or (byte)'|';
}
