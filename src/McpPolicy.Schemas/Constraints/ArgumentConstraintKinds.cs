using McpPolicy.Schemas.Constraints;

namespace McpPolicy;

/// <summary>
/// The typed argument constraints of McpPolicy.Schemas (<c>path</c>, <c>url</c>, <c>commandLine</c>), for a
/// <see cref="PolicyEvaluator"/> built without dependency injection. With DI, use <c>AddArgumentConstraints()</c>.
/// </summary>
public static class ArgumentConstraintKinds
{
    /// <summary>The <c>path</c> constraint: allow and deny globs over canonical paths with every symbolic link resolved.</summary>
    public static IArgumentConstraintKind Path { get; } = new PathConstraintKind();

    /// <summary>The <c>url</c> constraint: schemes, hosts (normalized), ports, and no private or loopback hosts unless allowed.</summary>
    public static IArgumentConstraintKind Url { get; } = new UrlConstraintKind();

    /// <summary>The <c>commandLine</c> constraint: allowed programs, denied flags, and no shell syntax when the text reaches a shell.</summary>
    public static IArgumentConstraintKind CommandLine { get; } = new CommandLineConstraintKind();

    /// <summary>All three, for <c>new PolicyEvaluator(options, constraintKinds: ArgumentConstraintKinds.All)</c>.</summary>
    public static IReadOnlyList<IArgumentConstraintKind> All { get; } = [Path, Url, CommandLine];
}
