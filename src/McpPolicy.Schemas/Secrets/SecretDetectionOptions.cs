using System.Globalization;
using McpPolicy.Schemas.Secrets;

namespace McpPolicy.Schemas;

/// <summary>What <see cref="SecretArgumentsRule"/> looks for in tool-call arguments and what it asks for when it finds it.</summary>
public sealed class SecretDetectionOptions
{
    /// <summary>The largest allowed <see cref="MaxDepth"/>.</summary>
    public const int MaxDepthLimit = 512;

    /// <summary>The lowest allowed <see cref="EntropyThreshold"/>.</summary>
    public const double MinEntropyThreshold = 3.0;

    /// <summary>The highest allowed <see cref="EntropyThreshold"/> (a 32-character window cannot carry more than 5 bits per character).</summary>
    public const double MaxEntropyThreshold = 5.0;

    /// <summary>
    /// The risk a call gets when an argument looks like a secret, or when the arguments are too large or too deep to scan.
    /// Default <see cref="RiskLevel.High"/> (a human approves the call); <see cref="RiskLevel.Medium"/> only audits it.
    /// </summary>
    public RiskLevel Risk { get; set; } = RiskLevel.High;

    /// <summary>The detectors that run. Default <see cref="SecretDetectors.All"/>.</summary>
    public SecretDetectors Detectors { get; set; } = SecretDetectors.All;

    /// <summary>
    /// The Shannon entropy, in bits per character over a 32-character window, at which a mixed-case alphanumeric token counts as random.
    /// Tokens of 20 to 31 characters are held to the same bar scaled to what a random token of their length reaches.
    /// Default 4.2 (a random 32-character base62 token averages 4.55); lower finds more secrets and more false positives.
    /// </summary>
    public double EntropyThreshold { get; set; } = 4.2;

    /// <summary>How deeply nested the arguments may be before the call is treated as if it held a secret. Default 64.</summary>
    public int MaxDepth { get; set; } = 64;

    /// <summary>
    /// How much text (UTF-8 bytes over every string and property name) is scanned before the call is treated as if it held a secret.
    /// Default 1 MiB.
    /// </summary>
    public int MaxScannedBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Arguments that may carry secrets, by tool: a <c>server/tool</c> pattern with exactly one '/' ('*' matches any run of characters
    /// within a segment; see <see cref="ToolPatternOptions.RequireSingleSlash"/>)
    /// mapped to argument names or RFC 6901 JSON Pointers (a segment of exactly <c>*</c> matches any property or index).
    /// Nothing at or under an allowed argument is scanned, for example <c>"vault/set_secret": ["/value"]</c>.
    /// </summary>
    public IDictionary<string, IList<string>> AllowedArguments { get; } = new Dictionary<string, IList<string>>(StringComparer.Ordinal);

    /// <summary>Lists what is wrong with the options; empty when they are valid.</summary>
    internal List<string> Validate()
    {
        var errors = new List<string>();
        if (Risk is not (RiskLevel.Medium or RiskLevel.High or RiskLevel.Block))
        {
            errors.Add($"{nameof(Risk)} must be Medium, High or Block, but is {Risk}; a Low risk would let every secret through unrecorded.");
        }

        if ((Detectors & ~SecretDetectors.All) != 0)
        {
            errors.Add($"{nameof(Detectors)} contains unknown flags ({(int)Detectors}).");
        }

        if (!(EntropyThreshold >= MinEntropyThreshold && EntropyThreshold <= MaxEntropyThreshold))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{nameof(EntropyThreshold)} must be between {MinEntropyThreshold} and {MaxEntropyThreshold} bits per character, but is {EntropyThreshold}."));
        }

        if (MaxDepth is < 1 or > MaxDepthLimit)
        {
            errors.Add($"{nameof(MaxDepth)} must be between 1 and {MaxDepthLimit}, but is {MaxDepth}.");
        }

        if (MaxScannedBytes < 1)
        {
            errors.Add($"{nameof(MaxScannedBytes)} must be positive, but is {MaxScannedBytes}.");
        }

        foreach (var (pattern, pointers) in AllowedArguments)
        {
            if (!ToolPattern.TryParse(pattern, ToolPatternOptions.RequireSingleSlash, out _, out var error))
            {
                errors.Add($"{nameof(AllowedArguments)}: {error}.");
            }

            if (pointers is null)
            {
                errors.Add($"{nameof(AllowedArguments)}['{pattern}'] is null.");
                continue;
            }

            foreach (var pointer in pointers)
            {
                if (!ArgumentPattern.TryParse(pointer, out _, out var pointerError))
                {
                    errors.Add($"{nameof(AllowedArguments)}['{pattern}']: {pointerError}.");
                }
            }
        }

        return errors;
    }
}
