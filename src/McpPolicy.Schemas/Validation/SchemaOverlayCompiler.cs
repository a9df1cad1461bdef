namespace McpPolicy.Schemas.Validation;

/// <summary>
/// Compiles a policy's schema overlays (<c>tools[].schema</c>) through the <see cref="SchemaRegistry"/> when the policy
/// compiles, so an invalid overlay fails start-up (and <c>Reload</c>) with an error under <c>$.tools[i].schema</c>. The
/// compiled validator stays in the registry's cache for the calls that follow.
/// </summary>
internal sealed class SchemaOverlayCompiler : ISchemaOverlayCompiler
{
    private readonly SchemaRegistry _registry;

    public SchemaOverlayCompiler(SchemaRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
    }

    public void Compile(System.Text.Json.JsonElement schema)
    {
        try
        {
            _ = _registry.GetValidator(schema);
        }
        catch (InvalidSchemaException ex)
        {
            throw new ArgumentException(ex.Message, ex);
        }
    }
}
