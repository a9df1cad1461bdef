namespace McpPolicy.Schemas.Constraints;

/// <summary>An attribute that constrains one argument of a server tool; implemented by the public constraint attributes.</summary>
internal interface IArgumentConstraintAttribute
{
    /// <summary>The argument: a top-level name, or a JSON Pointer starting with '/'.</summary>
    string Argument { get; }

    /// <summary>The attribute's name as written in code, such as <c>AllowedPaths</c>; denials name it.</summary>
    string ConstraintName { get; }

    /// <summary>Compiles the attribute's settings.</summary>
    /// <returns>The check.</returns>
    /// <exception cref="InvalidOperationException">The settings are invalid.</exception>
    IArgumentCheck Compile();
}
