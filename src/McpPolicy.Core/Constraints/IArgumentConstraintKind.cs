using System.Text.Json;

namespace McpPolicy;

/// <summary>
/// A typed argument constraint contributed by another package, such as <c>path</c>, <c>url</c> or <c>commandLine</c> from
/// McpPolicy.Schemas. The policy names it as a key of an argument condition; its settings are the key's JSON value.
/// Register implementations in DI as <see cref="IArgumentConstraintKind"/> singletons.
/// </summary>
public interface IArgumentConstraintKind
{
    /// <summary>The condition key, for example <c>path</c>. Must be unique among registered kinds.</summary>
    string Name { get; }

    /// <summary>Compiles the settings once, when the policy is compiled.</summary>
    /// <param name="settings">The JSON value of the key in the policy.</param>
    /// <returns>The compiled check.</returns>
    /// <exception cref="PolicyValidationException">The settings are invalid; the policy compiler reports the errors under the key's path.</exception>
    /// <exception cref="ArgumentException">The settings are invalid; the message is reported under the key's path.</exception>
    IArgumentCheck Compile(JsonElement settings);
}
