using System.Text.Json;

namespace McpPolicy.Schemas.Constraints;

/// <summary>The settings of a <c>commandLine</c> constraint, from a policy or from <see cref="AllowedCommandsAttribute"/>.</summary>
/// <param name="Allow">Programs the first word may name; null allows any program.</param>
/// <param name="DenyFlags">Flags no later word may carry (<c>--upload-pack</c>, <c>-c</c>).</param>
/// <param name="Shell">True: the text reaches a POSIX shell, so operators, substitutions and redirections are refused.</param>
internal sealed record CommandLineConstraintSettings(IReadOnlyList<string>? Allow, IReadOnlyList<string> DenyFlags, bool Shell);

/// <summary>What a command-line check found.</summary>
internal enum CommandLineVerdict
{
    Allowed,
    Malformed,
    ShellSyntax,
    ProgramNotAllowed,
    FlagDenied,
}

/// <summary>
/// A compiled <c>commandLine</c> constraint. The value is split like a POSIX shell splits words
/// (<see cref="CommandLineTokenizer"/>); the first word must be an allowed program, written exactly as listed (a listed
/// <c>git</c> does not admit <c>/tmp/x/git</c>), and no later word may carry a denied flag: <c>--flag</c>,
/// <c>--flag=value</c>, an unambiguous abbreviation such as <c>--upload-pa</c> (getopt_long and git accept those), and a
/// short flag inside a group such as <c>-xc</c>. Flags are looked for in every word, also after <c>--</c>.
/// </summary>
internal sealed class CommandLineCheck : IArgumentCheck
{
    /// <summary>The longest command line accepted.</summary>
    public const int MaxLength = 32_768;

    /// <summary>Refused anywhere, quoted or not, when the text reaches a shell: operators, substitutions, expansions, redirections, subshells.</summary>
    private const string ShellOperators = ";|&$`<>()";

    private readonly HashSet<string>? _allow;
    private readonly string[] _denyFlags;
    private readonly bool _shell;

    private CommandLineCheck(HashSet<string>? allow, string[] denyFlags, bool shell, string description)
    {
        _allow = allow;
        _denyFlags = denyFlags;
        _shell = shell;
        Description = description;
    }

    /// <inheritdoc />
    public string Description { get; }

    public static CommandLineCheck? Compile(CommandLineConstraintSettings settings, ConstraintSettingsReader reader)
    {
        if (settings.Allow is { } programs)
        {
            for (var i = 0; i < programs.Count; i++)
            {
                if (programs[i].Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                {
                    reader.Error($"$.allow[{i}]", $"the program '{programs[i]}' contains a blank or control character; list one program name or path per entry");
                }
            }
        }

        for (var i = 0; i < settings.DenyFlags.Count; i++)
        {
            var flag = settings.DenyFlags[i];
            if (flag.Length < 2 || flag[0] != '-' || flag == "--" || flag.StartsWith("---", StringComparison.Ordinal)
                || flag.Contains('=', StringComparison.Ordinal) || flag.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                reader.Error($"$.denyFlags[{i}]", $"'{flag}' is not a flag; write it as -x, --name or -name, without a value");
            }
        }

        if (reader.HasErrors)
        {
            return null;
        }

        var comparer = OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var allow = settings.Allow?.ToHashSet(comparer);
        var description = "must be a command line running "
            + (allow is null ? "any program" : allow.Count == 0 ? "no program (the allow list is empty)" : string.Join(" or ", settings.Allow!))
            + (settings.DenyFlags.Count == 0 ? "" : ", without the flags " + string.Join(", ", settings.DenyFlags))
            + (settings.Shell ? ", and without shell operators, substitutions or redirections" : "");
        return new CommandLineCheck(allow, settings.DenyFlags.ToArray(), settings.Shell, description);
    }

    /// <inheritdoc />
    public bool? Check(JsonElement value)
    {
        if (!ConstraintText.TryGet(value, out var text))
        {
            return null;
        }

        return Evaluate(text) == CommandLineVerdict.Allowed;
    }

    public CommandLineVerdict Evaluate(string text)
    {
        if (text.Length > MaxLength)
        {
            return CommandLineVerdict.Malformed;
        }

        foreach (var c in text)
        {
            // Newlines end a shell command, and a program reading the line may end it there too; NUL ends a C string.
            if ((c < 0x20 && c != '\t') || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c is '\u2028' or '\u2029')
            {
                return CommandLineVerdict.Malformed;
            }

            if (_shell && ShellOperators.Contains(c, StringComparison.Ordinal))
            {
                return CommandLineVerdict.ShellSyntax;
            }
        }

        if (!CommandLineTokenizer.TryTokenize(text, out var tokens, out var unquotedSpecial) || tokens.Count == 0 || tokens[0].Length == 0)
        {
            return CommandLineVerdict.Malformed;
        }

        if (_shell && unquotedSpecial)
        {
            return CommandLineVerdict.ShellSyntax;
        }

        if (_allow is not null && !_allow.Contains(tokens[0]))
        {
            return CommandLineVerdict.ProgramNotAllowed;
        }

        for (var i = 1; i < tokens.Count; i++)
        {
            if (CarriesDeniedFlag(tokens[i]))
            {
                return CommandLineVerdict.FlagDenied;
            }
        }

        return CommandLineVerdict.Allowed;
    }

    private bool CarriesDeniedFlag(string token)
    {
        if (token.Length < 2 || token[0] != '-')
        {
            return false;
        }

        foreach (var flag in _denyFlags)
        {
            if (flag.StartsWith("--", StringComparison.Ordinal))
            {
                if (token.StartsWith("--", StringComparison.Ordinal) && token.Length > 2)
                {
                    var equals = token.IndexOf('=', StringComparison.Ordinal);
                    var name = equals < 0 ? token.AsSpan(2) : token.AsSpan(2, equals - 2);

                    // The flag itself, or an abbreviation of it (getopt_long and git's parse-options accept unambiguous prefixes).
                    if (name.Length > 0 && flag.AsSpan(2).StartsWith(name, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }
            }
            else if (flag.Length == 2)
            {
                // A short flag alone or grouped with others (-xc), possibly with an attached value (-cvalue).
                if (token[1] != '-' && token.AsSpan(1).Contains(flag[1]))
                {
                    return true;
                }
            }
            else if (token == flag || token.StartsWith(flag + "=", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
