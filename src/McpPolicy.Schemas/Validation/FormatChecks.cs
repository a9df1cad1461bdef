namespace McpPolicy.Schemas.Validation;

/// <summary>Checks one string against a format.</summary>
internal delegate bool FormatCheck(ReadOnlySpan<char> value);

/// <summary>
/// The formats asserted when <see cref="JsonSchemaOptions.AssertFormat"/> is on: date-time, date, time (RFC 3339),
/// email (RFC 5321 mailbox, ASCII), hostname (RFC 1123), ipv4, ipv6 (RFC 4291, no zone), uri (RFC 3986 absolute URI),
/// uuid (RFC 4122 text form) and regex (ECMAScript, as translated for <c>pattern</c>). Other formats stay annotations.
/// </summary>
internal static class FormatChecks
{
    private static readonly Dictionary<string, FormatCheck> s_checks = new(StringComparer.Ordinal)
    {
        ["date-time"] = IsDateTime,
        ["date"] = IsDate,
        ["time"] = IsTime,
        ["email"] = IsEmail,
        ["hostname"] = IsHostname,
        ["ipv4"] = IsIpv4,
        ["ipv6"] = IsIpv6,
        ["uri"] = IsUri,
        ["uuid"] = IsUuid,
        ["regex"] = IsRegex,
    };

    private static readonly System.Buffers.SearchValues<char> s_hexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    public static FormatCheck? Find(string format) => s_checks.GetValueOrDefault(format);

    public static bool IsDateTime(ReadOnlySpan<char> value)
    {
        int t = value.IndexOfAny('T', 't');
        return t == 10 && IsDate(value[..t]) && IsTime(value[(t + 1)..]);
    }

    public static bool IsDate(ReadOnlySpan<char> value)
    {
        if (value.Length != 10 || value[4] != '-' || value[7] != '-'
            || !TryDigits(value[..4], out int year) || !TryDigits(value.Slice(5, 2), out int month) || !TryDigits(value.Slice(8, 2), out int day))
        {
            return false;
        }

        return month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(Math.Max(year, 1), month);
    }

    public static bool IsTime(ReadOnlySpan<char> value)
    {
        // HH:MM:SS[.frac](Z|±HH:MM); a leap second is valid only at 23:59:60 UTC.
        if (value.Length < 9 || value[2] != ':' || value[5] != ':'
            || !TryDigits(value[..2], out int hour) || !TryDigits(value.Slice(3, 2), out int minute) || !TryDigits(value.Slice(6, 2), out int second))
        {
            return false;
        }

        int i = 8;
        if (i < value.Length && value[i] == '.')
        {
            int start = ++i;
            while (i < value.Length && char.IsAsciiDigit(value[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        if (i >= value.Length)
        {
            return false;
        }

        int offsetMinutes;
        if (value[i] is 'Z' or 'z')
        {
            if (i + 1 != value.Length)
            {
                return false;
            }

            offsetMinutes = 0;
        }
        else if (value[i] is '+' or '-')
        {
            var offset = value[(i + 1)..];
            if (offset.Length != 5 || offset[2] != ':' || !TryDigits(offset[..2], out int oh) || !TryDigits(offset[3..], out int om) || oh > 23 || om > 59)
            {
                return false;
            }

            offsetMinutes = (value[i] == '+' ? 1 : -1) * ((oh * 60) + om);
        }
        else
        {
            return false;
        }

        if (hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        if (second == 60)
        {
            int utc = (((hour * 60) + minute - offsetMinutes) % 1440 + 1440) % 1440;
            return utc == (23 * 60) + 59;
        }

        return true;
    }

    public static bool IsEmail(ReadOnlySpan<char> value)
    {
        int at = value.LastIndexOf('@');
        if (at <= 0 || at == value.Length - 1 || value.Length > 320)
        {
            return false;
        }

        var local = value[..at];
        var domain = value[(at + 1)..];
        if (local.Length > 64)
        {
            return false;
        }

        if (local[0] == '"')
        {
            if (local.Length < 2 || local[^1] != '"')
            {
                return false;
            }

            for (int i = 1; i < local.Length - 1; i++)
            {
                char c = local[i];
                if (c == '\\')
                {
                    i++;
                    continue;
                }

                if (c is '"' || c < 32 || c > 126)
                {
                    return false;
                }
            }
        }
        else
        {
            if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
            {
                return false;
            }

            foreach (char c in local)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~.".Contains(c, StringComparison.Ordinal)))
                {
                    return false;
                }
            }
        }

        if (domain[0] == '[')
        {
            if (domain[^1] != ']')
            {
                return false;
            }

            var literal = domain[1..^1];
            return literal.StartsWith("IPv6:", StringComparison.Ordinal) ? IsIpv6(literal[5..]) : IsIpv4(literal);
        }

        return IsHostname(domain);
    }

    public static bool IsHostname(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.Length > 253)
        {
            return false;
        }

        foreach (var range in value.Split('.'))
        {
            var label = value[range];
            if (label.IsEmpty || label.Length > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (char c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }

            if (label.Length >= 4 && label[2] == '-' && label[3] == '-' && !label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsIpv4(ReadOnlySpan<char> value)
    {
        int parts = 0;
        foreach (var range in value.Split('.'))
        {
            var part = value[range];
            if (++parts > 4 || part.IsEmpty || part.Length > 3 || (part.Length > 1 && part[0] == '0') || !TryDigits(part, out int octet) || octet > 255)
            {
                return false;
            }
        }

        return parts == 4;
    }

    public static bool IsIpv6(ReadOnlySpan<char> value)
    {
        if (value.Length < 2 || value.Length > 45)
        {
            return false;
        }

        int groups = 0;
        bool compressed = false;
        int i = 0;
        if (value.StartsWith("::", StringComparison.Ordinal))
        {
            compressed = true;
            i = 2;
            if (i == value.Length)
            {
                return true;
            }
        }
        else if (value[0] == ':')
        {
            return false;
        }

        while (i < value.Length)
        {
            int start = i;
            while (i < value.Length && value[i] != ':')
            {
                i++;
            }

            var piece = value[start..i];
            if (piece.Contains('.'))
            {
                // An embedded IPv4 address may only end the text.
                if (i != value.Length || !IsIpv4(piece))
                {
                    return false;
                }

                groups += 2;
                break;
            }

            if (piece.IsEmpty || piece.Length > 4 || piece.ContainsAnyExcept(s_hexDigits))
            {
                return false;
            }

            groups++;
            if (i == value.Length)
            {
                break;
            }

            i++;
            if (i < value.Length && value[i] == ':')
            {
                if (compressed)
                {
                    return false;
                }

                compressed = true;
                i++;
            }
            else if (i == value.Length)
            {
                return false;
            }
        }

        return compressed ? groups <= 7 : groups == 8;
    }

    public static bool IsUri(ReadOnlySpan<char> value)
    {
        int colon = value.IndexOf(':');
        if (colon <= 0 || !char.IsAsciiLetter(value[0]))
        {
            return false;
        }

        foreach (char c in value[..colon])
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }

        var rest = value[(colon + 1)..];
        int end = rest.IndexOfAny('?', '#');
        var hierarchy = end < 0 ? rest : rest[..end];
        if (hierarchy.StartsWith("//", StringComparison.Ordinal))
        {
            var afterSlashes = hierarchy[2..];
            int slash = afterSlashes.IndexOf('/');
            var authority = slash < 0 ? afterSlashes : afterSlashes[..slash];
            if (!IsAuthority(authority))
            {
                return false;
            }

            rest = rest[(2 + authority.Length)..];
        }

        int fragments = 0;
        for (int i = 0; i < rest.Length; i++)
        {
            char c = rest[i];
            if (c == '%')
            {
                if (i + 2 >= rest.Length || !char.IsAsciiHexDigit(rest[i + 1]) || !char.IsAsciiHexDigit(rest[i + 2]))
                {
                    return false;
                }

                i += 2;
                continue;
            }

            if (c == '#' && ++fragments > 1)
            {
                return false;
            }

            if (!IsUriChar(c) || c is '[' or ']')
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsRegex(ReadOnlySpan<char> value)
    {
        try
        {
            _ = EcmaScriptRegex.Translate(value.ToString(), out _);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static bool IsUuid(ReadOnlySpan<char> value)
    {
        if (value.Length != 36)
        {
            return false;
        }

        for (int i = 0; i < value.Length; i++)
        {
            bool dash = i is 8 or 13 or 18 or 23;
            if (dash ? value[i] != '-' : !char.IsAsciiHexDigit(value[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAuthority(ReadOnlySpan<char> authority)
    {
        int at = authority.LastIndexOf('@');
        var host = at >= 0 ? authority[(at + 1)..] : authority;
        if (at >= 0)
        {
            foreach (char c in authority[..at])
            {
                if (!IsUriChar(c) || c is '@' or '/' or '?' or '#' or '[' or ']')
                {
                    return false;
                }
            }
        }

        if (host.StartsWith("[", StringComparison.Ordinal))
        {
            int close = host.IndexOf(']');
            if (close < 0 || !IsIpv6(host[1..close]))
            {
                return false;
            }

            host = host[(close + 1)..];
            return host.IsEmpty || (host[0] == ':' && IsAllDigits(host[1..]));
        }

        int portColon = host.LastIndexOf(':');
        if (portColon >= 0)
        {
            if (!IsAllDigits(host[(portColon + 1)..]))
            {
                return false;
            }

            host = host[..portColon];
        }

        foreach (char c in host)
        {
            if (!IsUriChar(c) || c is ':' or '@' or '/' or '?' or '#' or '[' or ']')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAllDigits(ReadOnlySpan<char> value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsUriChar(char c)
        => char.IsAsciiLetterOrDigit(c) || "-._~:/?#[]@!$&'()*+,;=%".Contains(c, StringComparison.Ordinal);

    private static bool TryDigits(ReadOnlySpan<char> value, out int number)
    {
        number = 0;
        foreach (char c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            number = (number * 10) + (c - '0');
        }

        return !value.IsEmpty;
    }
}
