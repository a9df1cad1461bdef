using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace McpPolicy.Schemas.Validation;

/// <summary>The result of matching a pattern.</summary>
internal enum RegexOutcome
{
    NoMatch,
    Match,
    Timeout,
}

/// <summary>
/// A schema <c>pattern</c> compiled once: translated from ECMAScript (see <see cref="EcmaScriptRegex"/>) and run on the
/// linear-time NonBacktracking engine, so no input can cause catastrophic backtracking; inputs longer than 16K characters
/// are also bounded by the match timeout. Patterns with lookaround or backreferences (which NonBacktracking lacks) run on
/// the backtracking engine, always bounded by the match timeout.
/// </summary>
internal sealed class SchemaRegex
{
    private const int CacheLimit = 1024;
    private static readonly ConcurrentDictionary<(string Pattern, TimeSpan Timeout), SchemaRegex> s_cache = new();

    /// <summary>
    /// Inputs up to this length are matched on the linear-time engine without a timeout: timeout bookkeeping costs more
    /// than such a match, whose time is bounded by the input length anyway. Longer inputs also get the timeout.
    /// </summary>
    private const int UntimedLength = 16 * 1024;

    private readonly Regex _regex;
    private readonly string _translated;
    private readonly TimeSpan _timeout;
    private Regex? _timed;

    private SchemaRegex(string source, string translated, Regex regex, bool backtracking, TimeSpan timeout)
    {
        Source = source;
        _translated = translated;
        _regex = regex;
        UsesBacktracking = backtracking;
        _timeout = timeout;
        Fast = AsciiPatternMatcher.TryCreate(source);
    }

    /// <summary>A linear-time matcher for simple ASCII patterns, used instead of the regex when the pattern allows.</summary>
    public AsciiPatternMatcher? Fast { get; }

    /// <summary>The pattern as the schema wrote it.</summary>
    public string Source { get; }

    /// <summary>Whether the pattern needed the backtracking engine.</summary>
    public bool UsesBacktracking { get; }

    /// <summary>Compiles (or reuses) a pattern.</summary>
    /// <exception cref="FormatException">The pattern is invalid or unsupported; the message says why.</exception>
    public static SchemaRegex Create(string pattern, TimeSpan matchTimeout)
    {
        if (s_cache.TryGetValue((pattern, matchTimeout), out var cached))
        {
            return cached;
        }

        string translated = EcmaScriptRegex.Translate(pattern, out bool needsBacktracking);
        Regex regex;
        try
        {
            if (needsBacktracking)
            {
                regex = new Regex(translated, RegexOptions.CultureInvariant, matchTimeout);
            }
            else
            {
                try
                {
                    regex = new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
                }
                catch (NotSupportedException)
                {
                    needsBacktracking = true;
                    regex = new Regex(translated, RegexOptions.CultureInvariant, matchTimeout);
                }
            }
        }
        catch (ArgumentException ex)
        {
            throw new FormatException(ex.Message, ex);
        }

        var created = new SchemaRegex(pattern, translated, regex, needsBacktracking, matchTimeout);
        if (s_cache.Count >= CacheLimit)
        {
            s_cache.Clear();
        }

        s_cache.TryAdd((pattern, matchTimeout), created);
        return created;
    }

    private Regex Timed()
    {
        var timed = Volatile.Read(ref _timed);
        if (timed is null)
        {
            timed = new Regex(_translated, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, _timeout);
            timed = Interlocked.CompareExchange(ref _timed, timed, null) ?? timed;
        }

        return timed;
    }

    /// <summary>Searches <paramref name="input"/> (unanchored, as JSON Schema requires).</summary>
    public RegexOutcome Match(ReadOnlySpan<char> input)
    {
        if (Fast is { } fast)
        {
            return fast.IsMatch(input) ? RegexOutcome.Match : RegexOutcome.NoMatch;
        }

        var regex = UsesBacktracking || input.Length <= UntimedLength ? _regex : Timed();
        try
        {
            return regex.IsMatch(input) ? RegexOutcome.Match : RegexOutcome.NoMatch;
        }
        catch (RegexMatchTimeoutException)
        {
            return RegexOutcome.Timeout;
        }
    }
}
