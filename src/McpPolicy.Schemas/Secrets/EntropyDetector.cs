using System.Buffers;

namespace McpPolicy.Schemas.Secrets;

/// <summary>
/// Finds random-looking tokens: runs of the base64/base64url alphabet of 20 to 256 characters, measured over a 32-character window
/// that slides along the token. A window counts as random when it mixes upper case, lower case and digits, has few separators,
/// reaches the entropy threshold for its length, changes character class often and is not made of lower-case words.
/// </summary>
/// <remarks>
/// Deliberately not flagged: hexadecimal strings (SHA digests, git commit ids, UUIDs: no mixed case), tokens that decode from
/// base64 to printable text, path-like windows with two or more '/', segments of a URL's path (document and commit ids; query
/// values are still scanned), subresource-integrity digests, values assigned to digest names (<c>"contentHash": "…"</c>),
/// data: URL payloads, and runs longer than 256 characters, which are encoded data (images, files) rather than keys.
/// Known key formats in all of these are still found by their own detectors.
/// </remarks>
internal static class EntropyDetector
{
    public const int MinTokenLength = 20;
    public const int MaxTokenLength = 256;
    public const int Window = 32;

    // The alphabet size the thresholds are calibrated against: random base62 (letters and digits), as most API keys are.
    private const int CalibrationAlphabet = 62;

    private static readonly SearchValues<byte> TokenBytes = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_"u8);
    private static readonly double[] CountLog = BuildCountLog();
    private static readonly double[] Log2 = BuildLog2();
    private static readonly double[] ExpectedRandomEntropy = BuildExpectedRandomEntropy();

    /// <summary>
    /// The entropy each window length must reach: <paramref name="threshold"/> for a full window, and for a shorter token the same
    /// fraction of what a random token of that length is expected to reach (a 20-character token cannot exceed log2 20 ≈ 4.32).
    /// </summary>
    public static double[] Thresholds(double threshold)
    {
        var thresholds = new double[Window + 1];
        for (var w = MinTokenLength; w <= Window; w++)
        {
            thresholds[w] = threshold * ExpectedRandomEntropy[w] / ExpectedRandomEntropy[Window];
        }

        return thresholds;
    }

    public static SecretKind Scan(ReadOnlySpan<byte> text, double[] thresholds)
    {
        var url = UrlPart.None;
        var i = 0;
        while (i < text.Length)
        {
            var b = text[i];
            if (!IsTokenByte(b))
            {
                if (b == ':' && text[(i + 1)..].StartsWith("//"u8))
                {
                    url = UrlPart.Authority;
                    i += 3;
                    continue;
                }

                url = b <= ' ' || b is (byte)'"' or (byte)'\'' or (byte)'`' or (byte)'<' or (byte)'>' ? UrlPart.None
                    : url != UrlPart.None && b is (byte)'?' or (byte)'#' ? UrlPart.Query
                    : url;
                i++;
                continue;
            }

            var start = i;
            var run = text[i..].IndexOfAnyExcept(TokenBytes);
            i = run < 0 ? text.Length : i + run;
            var end = i;
            if (url == UrlPart.Authority && text[start..end].Contains((byte)'/'))
            {
                url = UrlPart.Path;
            }

            var inPath = url == UrlPart.Path;
            while (i < text.Length && i - end < 2 && text[i] == '=')
            {
                i++;
            }

            var length = end - start;
            if (length is >= MinTokenLength and <= MaxTokenLength
                && !inPath
                && !IsDigestOrData(text, start)
                && HasRandomWindow(text[start..end], thresholds)
                && !Base64Text.DecodesToText(text[start..i])
                && CredentialAssignment.NameBefore(text, start) != SecretName.Digest)
            {
                return SecretKind.HighEntropyString;
            }
        }

        return SecretKind.None;
    }

    /// <summary>Where in a URL the scan is: segments of a URL's path are identifiers (document ids, commit ids), not keys.</summary>
    private enum UrlPart : byte
    {
        None,
        Authority,
        Path,
        Query,
    }

    /// <summary>
    /// A subresource-integrity digest (<c>sha512-…</c>, as in package-lock.json and HTML) or the payload of a data: URL
    /// (<c>data:image/png;base64,…</c>): random-looking by nature, never a key.
    /// </summary>
    private static bool IsDigestOrData(ReadOnlySpan<byte> text, int start)
    {
        if (text[..start].EndsWith("base64,"u8))
        {
            return true;
        }

        var token = text[start..];
        return token.Length > 7 && (token[0] | 0x20) == 's' && (token[1] | 0x20) == 'h' && (token[2] | 0x20) == 'a'
            && (token[3..].StartsWith("1-"u8) || token[3..].StartsWith("256-"u8) || token[3..].StartsWith("384-"u8) || token[3..].StartsWith("512-"u8));
    }

    /// <summary>The base64 and base64url alphabets without padding: letters, digits, '+', '/', '-', '_'.</summary>
    private static bool IsTokenByte(byte b) => TextRuns.IsAlnum(b) || b is (byte)'+' or (byte)'/' or (byte)'-' or (byte)'_';

    private static bool HasRandomWindow(ReadOnlySpan<byte> token, double[] thresholds)
    {
        var w = Math.Min(token.Length, Window);
        var threshold = thresholds[w];
        var stats = new WindowStats(stackalloc int[128]);
        for (var k = 0; k < w; k++)
        {
            stats.Add(token[k], 1);
        }

        for (var start = 0; ; start++)
        {
            if (stats.MixesClasses && Log2[w] - (stats.CountLogSum / w) >= threshold && LooksRandom(token.Slice(start, w)))
            {
                return true;
            }

            if (start + w >= token.Length)
            {
                return false;
            }

            stats.Add(token[start], -1);
            stats.Add(token[start + w], 1);
        }
    }

    /// <summary>
    /// Shape checks that entropy alone misses. Random text changes character class (lower, upper, digit, other) at about 62% of
    /// positions and has few lower-case runs; identifiers such as <c>GetRawUtf8PropertyName</c> or <c>NativeM68KMemoryOperand</c>
    /// are mostly words: capitalised or lower-case runs of three or more letters.
    /// </summary>
    private static bool LooksRandom(ReadOnlySpan<byte> window)
    {
        int changes = 0, lowerRuns = 0, words = 0;
        for (var k = 1; k < window.Length; k++)
        {
            changes += ClassOf(window[k]) != ClassOf(window[k - 1]) ? 1 : 0;
        }

        var i = 0;
        while (i < window.Length)
        {
            var lowerStart = i + (char.IsAsciiLetterUpper((char)window[i]) ? 1 : 0);
            var end = lowerStart;
            while (end < window.Length && char.IsAsciiLetterLower((char)window[end]))
            {
                end++;
            }

            if (end - lowerStart >= 3)
            {
                lowerRuns += end - lowerStart;
            }

            if (end > lowerStart && end - i >= 3)
            {
                words += end - i;
                i = end;
            }
            else
            {
                i++;
            }
        }

        // Thresholds measured on random base62 windows of 20 to 32 characters: each check alone rejects at most about 2% of them.
        return changes * 20 >= (window.Length - 1) * 7 && lowerRuns * 2 <= window.Length && words * 20 <= window.Length * 13;
    }

    private static int ClassOf(byte b)
        => char.IsAsciiLetterLower((char)b) ? 0 : char.IsAsciiLetterUpper((char)b) ? 1 : char.IsAsciiDigit((char)b) ? 2 : 3;

    private static double[] BuildCountLog()
    {
        var table = new double[Window + 1];
        for (var c = 2; c <= Window; c++)
        {
            table[c] = c * Math.Log2(c);
        }

        return table;
    }

    private static double[] BuildLog2()
    {
        var table = new double[Window + 1];
        for (var n = 1; n <= Window; n++)
        {
            table[n] = Math.Log2(n);
        }

        return table;
    }

    /// <summary>
    /// The expected plug-in Shannon entropy of n characters drawn uniformly from <see cref="CalibrationAlphabet"/> symbols:
    /// log2 n − (K/n)·Σⱼ P(Binomial(n, 1/K) = j)·j·log2 j.
    /// </summary>
    private static double[] BuildExpectedRandomEntropy()
    {
        var table = new double[Window + 1];
        const double p = 1.0 / CalibrationAlphabet;
        for (var n = 1; n <= Window; n++)
        {
            var sum = 0.0;
            var choose = 1.0;
            for (var j = 1; j <= n; j++)
            {
                choose = choose * (n - j + 1) / j;
                sum += choose * Math.Pow(p, j) * Math.Pow(1 - p, n - j) * j * Math.Log2(j);
            }

            table[n] = Math.Log2(n) - (CalibrationAlphabet * sum / n);
        }

        return table;
    }

    /// <summary>Character counts of the current window, updated one character at a time as it slides.</summary>
    private ref struct WindowStats
    {
        private readonly Span<int> _counts;
        private int _lower;
        private int _upper;
        private int _digits;
        private int _separators;
        private int _slashes;

        public WindowStats(Span<int> counts)
        {
            _counts = counts;
            _counts.Clear();
        }

        /// <summary>Σ c·log2 c over the character counts c; the window's entropy is log2 w − sum / w.</summary>
        public double CountLogSum { get; private set; }

        /// <summary>Upper case, lower case and a digit, with at most two separators of which at most one '/' (paths have more).</summary>
        public readonly bool MixesClasses => _lower > 0 && _upper > 0 && _digits > 0 && _separators <= 2 && _slashes <= 1;

        public void Add(byte b, int delta)
        {
            var c = _counts[b];
            CountLogSum += CountLog[c + delta] - CountLog[c];
            _counts[b] = c + delta;
            if (char.IsAsciiLetterLower((char)b))
            {
                _lower += delta;
            }
            else if (char.IsAsciiLetterUpper((char)b))
            {
                _upper += delta;
            }
            else if (char.IsAsciiDigit((char)b))
            {
                _digits += delta;
            }
            else
            {
                _separators += delta;
                _slashes += b == '/' ? delta : 0;
            }
        }
    }
}
