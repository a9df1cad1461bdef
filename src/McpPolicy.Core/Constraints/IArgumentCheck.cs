using System.Text.Json;

namespace McpPolicy;

/// <summary>A compiled typed constraint: checks one argument value (for an array argument, each element in turn).</summary>
public interface IArgumentCheck
{
    /// <summary>What the check requires, in a few words for decision reasons, such as <c>must be a path under /srv/data</c>.</summary>
    string Description { get; }

    /// <summary>Checks a value. Must be deterministic and must not throw for any JSON value.</summary>
    /// <param name="value">The argument value.</param>
    /// <returns>True when the value satisfies the constraint, false when it does not, null when the value is of a type the check cannot judge (which counts against the caller).</returns>
    bool? Check(JsonElement value);
}
