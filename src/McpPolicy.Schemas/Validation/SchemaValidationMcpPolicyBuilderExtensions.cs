using McpPolicy.Schemas;
using McpPolicy.Schemas.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace McpPolicy;

/// <summary>Adds JSON Schema validation of tool arguments and results to McpPolicy.</summary>
public static class SchemaValidationMcpPolicyBuilderExtensions
{
    /// <summary>
    /// Validates every call's arguments against the tool's input schema (JSON Schema 2020-12 by default, draft-07 when the
    /// schema says so) at pipeline step <see cref="ToolInvocationFilterOrder.Validate"/>. Invalid arguments are denied with
    /// rule id <c>schema</c>, naming the argument location and the failing keyword; a schema that cannot be compiled denies
    /// the call with <c>schema-error</c>. Tools without a known input schema are not checked against one. The policy's schema
    /// overlays (<c>tools[].schema</c>) are compiled when the policy compiles (an invalid one fails start-up under
    /// <c>$.tools[i].schema</c>) and every matching entry's overlay must pass too; a violation is denied with rule id
    /// <c>tools[i].schema</c>. After the tool ran, a result that is not an error is checked against the tool's
    /// <c>outputSchema</c>, when it declares one: missing or mismatching <c>structuredContent</c> replaces the result with an
    /// error (rule id <c>output-schema</c>) that names locations and keywords only.
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
        builder.Services.TryAddSingleton<ISchemaOverlayCompiler>(sp => new SchemaOverlayCompiler(sp.GetRequiredService<SchemaRegistry>()));
        builder.AddFilter<SchemaValidationFilter>();
        builder.AddFilter<OutputSchemaValidationFilter>();
        return builder;
    }
}
