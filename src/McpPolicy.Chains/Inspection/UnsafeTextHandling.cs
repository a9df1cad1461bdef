namespace McpPolicy.Chains.Inspection;

/// <summary>What result inspection does with escape sequences and invisible or control characters in a tool's result.</summary>
public enum UnsafeTextHandling
{
    /// <summary>
    /// Replaces each unsafe character with a visible token: control characters as <c>\u001b</c>, format characters as
    /// <c>&lt;U+202E&gt;</c>. The rest of an escape sequence stays as plain text, so <c>ESC[31m</c> reads <c>\u001b[31m</c>.
    /// The default: a reader (human or model) sees that something was hidden, and nothing is lost.
    /// </summary>
    MakeVisible = 0,

    /// <summary>Removes unsafe characters, and whole escape sequences including an OSC or DCS string's payload.</summary>
    Remove = 1,
}
