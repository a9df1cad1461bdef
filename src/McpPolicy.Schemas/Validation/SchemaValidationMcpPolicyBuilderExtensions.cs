using McpPolicy.Schemas;
using McpPolicy.Schemas.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace McpPolicy;

/// <summary>Adds JSON Schema validation of tool arguments to McpPolicy.</summary>
public static class SchemaValidationMcpPolicyBuilderExtensions
{
    /// <summary>
    /// Validates every call's arguments against the tool's input schema (JSON Schema 2020-12 by default, draft-07 when the
    /// schema says so) at pipeline step <see cref="ToolInvocationFilterOrder.Validate"/>. Invalid arguments are denied with
    /// rule id <c>schema</c>, naming the argument location and the failing keyword; a schema that cannot be compiled denies
    /// the call with <c>schema-error</c>. Tools without a known input schema are not checked.
    /// </summary>
    /// <param name="builder">The McpPolicy builder.</param>
    /// <param name="options">Dialect, format and limit settings; ignored when a <see cref="SchemaRegistry"/> is already registered.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Schemas compile once and are cached by content. To let tool schemas <c>$ref</c> shared schemas, register a
    /// <see cref="SchemaRegistry"/> singleton holding them before calling this; nothing is ever fetched over the network.
    /// </remarks>
    public static McpPolicyBuilder AddSchemaValidation(this McpPolicyBuilder builder, JsonSchemaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var registry = new SchemaRegistry(options ?? JsonSchemaOptions.Default);
        builder.Services.TryAddSingleton(registry);
        builder.AddFilter<SchemaValidationFilter>();
        return builder;
    }
}
