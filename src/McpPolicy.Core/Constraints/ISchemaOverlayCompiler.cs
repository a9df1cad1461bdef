using System.Text.Json;

namespace McpPolicy;

/// <summary>
/// Checks the schema overlays of a policy (<c>tools[].schema</c>) when the policy compiles, so an invalid overlay fails
/// start-up or <see cref="PolicyEvaluator.Reload"/> instead of the first call. McpPolicy.Schemas registers one with
/// <c>AddSchemaValidation()</c>; without one, a policy that uses <c>schema</c> does not compile.
/// </summary>
public interface ISchemaOverlayCompiler
{
    /// <summary>Compiles (and may cache) an overlay.</summary>
    /// <param name="schema">The overlay, a JSON object.</param>
    /// <exception cref="ArgumentException">The schema is invalid; the message is reported under the entry's <c>$.tools[i].schema</c>.</exception>
    void Compile(JsonElement schema);
}
