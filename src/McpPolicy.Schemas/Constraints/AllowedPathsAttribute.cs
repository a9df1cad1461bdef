using McpPolicy.Schemas.Constraints;

namespace McpPolicy;

/// <summary>
/// Restricts a file-path argument of an MCP server tool to folders, like the policy's <c>path</c> constraint:
/// <c>[AllowedPaths("path", "/srv/data/**")]</c>. The path is canonicalized and every symbolic link along it is resolved
/// before it is compared, so a link inside an allowed folder that points outside it is refused. Enforced on the server by
/// <c>AddArgumentConstraints()</c>; a violating call is denied naming the argument and this attribute.
/// </summary>
/// <remarks>
/// Put it on the tool method, or on the class for every tool in it; one attribute per argument (a method's attribute for an
/// argument replaces the class's). For an array argument every element must be allowed; an absent argument is not checked.
/// '**' matches any number of folders, '*' any run of characters within one name.
/// </remarks>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class AllowedPathsAttribute : ToolPolicyAttribute, IArgumentConstraintAttribute
{
    /// <summary>Restricts <paramref name="argument"/> to paths matching one of <paramref name="allow"/>.</summary>
    /// <param name="argument">The argument: a top-level name, or a JSON Pointer such as <c>/options/file</c>.</param>
    /// <param name="allow">Globs the path must match, such as <c>/srv/data/**</c>; at least one.</param>
    public AllowedPathsAttribute(string argument, params string[] allow)
    {
        Argument = argument;
        Allow = allow ?? [];
    }

    /// <summary>The constrained argument: a top-level name, or a JSON Pointer starting with '/'.</summary>
    public string Argument { get; }

    /// <summary>Globs the path must match.</summary>
    public IReadOnlyList<string> Allow { get; }

    /// <summary>Globs the path must not match, such as <c>**/.ssh/**</c>; they win over the allowed globs.</summary>
#pragma warning disable CA1819 // Attribute named arguments can only be arrays.
    public string[]? Deny { get; set; }
#pragma warning restore CA1819

    /// <summary>The absolute folder that relative paths and relative globs resolve against; without one, relative paths are refused.</summary>
    public string? Root { get; set; }

    /// <summary>True (the default): links are resolved and their targets checked. False: a path through any symbolic link is refused.</summary>
    public bool FollowSymlinks { get; set; } = true;

    string IArgumentConstraintAttribute.ConstraintName => "AllowedPaths";

    IArgumentCheck IArgumentConstraintAttribute.Compile() => AttributeCompiler.Compile(this, reader =>
    {
        if (Allow.Count == 0)
        {
            reader.Error("$.allow", "give at least one glob (\"/**\" allows every absolute path)");
            return null;
        }

        return PathCheck.Compile(new PathConstraintSettings(Allow, Deny ?? [], Root, FollowSymlinks), PathPlatform.Current, reader);
    });
}
