namespace McpPolicy;

/// <summary>
/// Replaces secret-looking values in the text of a tool's result with a marker such as <c>[redacted:github-token]</c>.
/// The result-inspection filter calls every registered redactor on every string it inspects; implement this to add a
/// detector of your own, or register the built-in one from McpPolicy.Schemas with <c>AddSecretRedaction()</c>.
/// </summary>
public interface IResultRedactor
{
    /// <summary>Redacts <paramref name="text"/>. An implementation must never put the secret, or a part of it, into its output.</summary>
    /// <param name="text">One string from the result: a text block, a resource's text, a link's field or a structured value.</param>
    /// <param name="context">The call whose result is inspected.</param>
    /// <param name="redacted">The text with every secret replaced, when the method returns true.</param>
    /// <param name="count">How many values were replaced, when the method returns true.</param>
    /// <returns>True when something was redacted; false (and no allocation) when the text holds nothing secret-looking.</returns>
    bool TryRedact(ReadOnlySpan<char> text, ToolInvocationContext context, out string redacted, out int count);
}
