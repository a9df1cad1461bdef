using System.Globalization;

namespace McpPolicy.Chains.Inspection;

/// <summary>What <see cref="ResultInspectionFilter"/> does to every tool result, with overrides per tool pattern.</summary>
public sealed class ResultInspectionOptions
{
    /// <summary>How escape sequences and invisible or control characters are handled. Default <see cref="UnsafeTextHandling.MakeVisible"/>.</summary>
    public UnsafeTextHandling UnsafeText { get; set; } = UnsafeTextHandling.MakeVisible;

    /// <summary>How text is marked as untrusted. Default <see cref="UntrustedContentMarking.None"/>.</summary>
    public UntrustedContentMarking Marking { get; set; } = UntrustedContentMarking.None;

    /// <summary>The character that replaces spaces under <see cref="UntrustedContentMarking.Datamark"/>. Default U+02C6 (ˆ).</summary>
    public char DatamarkCharacter { get; set; } = '\u02C6';

    /// <summary>
    /// Whether secret-looking values are replaced by every registered <see cref="IResultRedactor"/> (McpPolicy.Schemas'
    /// <c>AddSecretRedaction()</c> registers one). Default true; without a redactor nothing is redacted.
    /// </summary>
    public bool RedactSecrets { get; set; } = true;

    /// <summary>
    /// Overrides by tool: a <c>server/tool</c> pattern with exactly one '/' ('*' matches any run of characters within a segment, and
    /// '**' is read as '*'; see <see cref="ToolPatternOptions.RequireSingleSlash"/>) mapped to the settings
    /// that differ for it. When several patterns match, each setting comes from the most specific pattern that sets it (the one
    /// with the most literal characters; an exact name beats any pattern).
    /// </summary>
    public IDictionary<string, ToolResultInspectionOptions> Tools { get; } = new Dictionary<string, ToolResultInspectionOptions>(StringComparer.Ordinal);

    /// <summary>Lists what is wrong with the options; empty when they are valid.</summary>
    internal List<string> Validate()
    {
        var errors = new List<string>();
        CheckHandling(UnsafeText, nameof(UnsafeText), errors);
        CheckMarking(Marking, nameof(Marking), errors);
        if (!IsUsableDatamark(DatamarkCharacter))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{nameof(DatamarkCharacter)} U+{(int)DatamarkCharacter:X4} cannot mark text: choose a visible character that is not a letter (modifier letters such as ˆ are fine), digit, space, control, surrogate or invisible format character, such as U+02C6 (ˆ)."));
        }

        foreach (var (pattern, tool) in Tools)
        {
            if (!TryParsePattern(pattern, out _, out var error))
            {
                errors.Add($"{nameof(Tools)}: {error}.");
            }

            if (tool is null)
            {
                errors.Add($"{nameof(Tools)}['{pattern}'] is null.");
                continue;
            }

            if (tool.UnsafeText is { } handling)
            {
                CheckHandling(handling, $"{nameof(Tools)}['{pattern}'].{nameof(UnsafeText)}", errors);
            }

            if (tool.Marking is { } marking)
            {
                CheckMarking(marking, $"{nameof(Tools)}['{pattern}'].{nameof(Marking)}", errors);
            }
        }

        return errors;
    }

    /// <summary>
    /// Reads a <see cref="Tools"/> key: a <see cref="ToolPatternOptions.RequireSingleSlash"/> pattern in which, unlike in a policy's
    /// <c>match</c>, a run of '*' is accepted and means '*' (these keys have always accepted it; rejecting it now would stop hosts
    /// that use it from starting).
    /// </summary>
    internal static bool TryParsePattern(string? text, out ToolPattern? pattern, out string? error)
    {
        if (ToolPattern.TryParse(text, ToolPatternOptions.RequireSingleSlash, out pattern, out error))
        {
            return true;
        }

        // Only a pattern with "**" can pass once its runs of '*' are collapsed; any other error stays about the text as written.
        var collapsed = text;
        while (collapsed is not null && collapsed.Contains("**", StringComparison.Ordinal))
        {
            collapsed = collapsed.Replace("**", "*", StringComparison.Ordinal);
        }

        if (!ReferenceEquals(collapsed, text) && ToolPattern.TryParse(collapsed, ToolPatternOptions.RequireSingleSlash, out pattern, out _))
        {
            error = null;
            return true;
        }

        return false;
    }

    private static bool IsUsableDatamark(char c)
        => !char.IsWhiteSpace(c) && !char.IsControl(c) && !char.IsSurrogate(c) && (!char.IsLetterOrDigit(c) || char.GetUnicodeCategory(c) == UnicodeCategory.ModifierLetter)
            && !Inspection.UnsafeText.IsUnsafeCandidate(c) && char.GetUnicodeCategory(c) != UnicodeCategory.Format;

    private static void CheckHandling(UnsafeTextHandling value, string name, List<string> errors)
    {
        if (value is not (UnsafeTextHandling.MakeVisible or UnsafeTextHandling.Remove))
        {
            errors.Add($"{name} must be MakeVisible or Remove, but is {(int)value}.");
        }
    }

    private static void CheckMarking(UntrustedContentMarking value, string name, List<string> errors)
    {
        if ((value & ~(UntrustedContentMarking.Delimit | UntrustedContentMarking.Datamark)) != 0)
        {
            errors.Add($"{name} contains unknown flags ({(int)value}); use None, Delimit, Datamark or both.");
        }
    }
}
