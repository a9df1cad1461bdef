using McpPolicy.Schemas.Constraints;

namespace McpPolicy;

/// <summary>
/// Restricts a command-line argument of an MCP server tool, like the policy's <c>commandLine</c> constraint:
/// <c>[AllowedCommands("command", "git", "ls", DenyFlags = ["--upload-pack", "-c"])]</c>. The text is split into words
/// like a POSIX shell does; the first must be a listed program and no word may carry a denied flag (also as
/// <c>--flag=value</c>, an abbreviation, or grouped like <c>-xc</c>). Enforced on the server by <c>AddArgumentConstraints()</c>.
/// </summary>
/// <remarks>
/// With no programs listed, any program is allowed. With <see cref="Shell"/> true (the default) the text is assumed to reach
/// a POSIX shell, so operators, substitutions and redirections (<c>; | &amp;&amp; $( ) ` &lt; &gt;</c>), unquoted glob,
/// brace, tilde and comment characters, and newlines are refused. One attribute per argument; a method's attribute for an
/// argument replaces the class's.
/// </remarks>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class AllowedCommandsAttribute : ToolPolicyAttribute, IArgumentConstraintAttribute
{
    /// <summary>Restricts <paramref name="argument"/> to command lines running one of <paramref name="programs"/>.</summary>
    /// <param name="argument">The argument: a top-level name, or a JSON Pointer.</param>
    /// <param name="programs">Allowed programs, written as the command line must name them (<c>git</c> does not admit <c>/usr/bin/git</c>); none allows any program.</param>
    public AllowedCommandsAttribute(string argument, params string[] programs)
    {
        Argument = argument;
        Programs = programs ?? [];
    }

    /// <summary>The constrained argument: a top-level name, or a JSON Pointer starting with '/'.</summary>
    public string Argument { get; }

    /// <summary>The allowed programs; empty allows any program.</summary>
    public IReadOnlyList<string> Programs { get; }

    /// <summary>Flags no word of the command line may carry, such as <c>--upload-pack</c> or <c>-c</c>.</summary>
#pragma warning disable CA1819 // Attribute named arguments can only be arrays.
    public string[]? DenyFlags { get; set; }
#pragma warning restore CA1819

    /// <summary>True (the default): the text reaches a shell, so shell syntax is refused. False: the tool splits it into arguments itself.</summary>
    public bool Shell { get; set; } = true;

    string IArgumentConstraintAttribute.ConstraintName => "AllowedCommands";

    IArgumentCheck IArgumentConstraintAttribute.Compile() => AttributeCompiler.Compile(this, reader => CommandLineCheck.Compile(
        new CommandLineConstraintSettings(Programs.Count == 0 ? null : Programs, DenyFlags ?? [], Shell),
        reader));
}
