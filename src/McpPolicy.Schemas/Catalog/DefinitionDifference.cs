namespace McpPolicy.Schemas;

/// <summary>One reviewer-readable difference between an approved tool definition and the live one.</summary>
/// <param name="Kind">
/// A stable identifier of the kind of difference, such as <c>description</c>, <c>schema:parameter-added</c>,
/// <c>schema:required-added</c> or <c>annotation:readOnlyHint</c> (see docs/catalog.md for the list).
/// </param>
/// <param name="Location">Where in the definition, as a JSON Pointer (for example <c>/inputSchema/properties/callback_url</c>).</param>
/// <param name="Message">One sentence for a reviewer.</param>
/// <param name="Severity">How much the difference matters.</param>
public sealed record DefinitionDifference(string Kind, string Location, string Message, ChangeSeverity Severity)
{
    /// <inheritdoc />
    public override string ToString() => $"{Severity} {Kind} at {Location}: {Message}";
}
