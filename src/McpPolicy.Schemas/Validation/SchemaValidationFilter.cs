using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// Pipeline step <see cref="ToolInvocationFilterOrder.Validate"/>: validates a call's arguments against the tool's
/// <see cref="ToolDescriptor.InputSchema"/> and then against the schema overlay (<c>tools[].schema</c>) of every policy
/// entry that matches the call, before anything else looks at them. Arguments that fail the input schema are denied with
/// rule id <c>schema</c>, arguments that fail an overlay with <c>tools[i].schema</c>, naming the argument location and the
/// failing keyword so the model can correct the call; a schema that cannot be compiled is denied with <c>schema-error</c>
/// (errors block).
/// </summary>
internal sealed partial class SchemaValidationFilter : IToolInvocationFilter
{
    /// <summary>The rule id of a denial for arguments that do not match the schema.</summary>
    public const string RuleId = "schema";

    /// <summary>The rule id of a denial for a schema that cannot be compiled.</summary>
    public const string SchemaErrorRuleId = "schema-error";

    private const int ErrorsShown = 3;

    private readonly SchemaRegistry _registry;
    private readonly ILogger _logger;
    private readonly IPolicyEvaluator? _evaluator;
    private readonly ConditionalWeakTable<ToolDescriptor, object> _compiled = [];
    private readonly ConditionalWeakTable<ToolSchemaOverlay, object?[]> _overlays = [];

    public SchemaValidationFilter(SchemaRegistry registry, ILogger<SchemaValidationFilter>? logger = null, IPolicyEvaluator? evaluator = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _evaluator = evaluator;
    }

    public int Order => ToolInvocationFilterOrder.Validate;

    public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        IReadOnlyList<ToolSchemaOverlay> overlays = _evaluator?.GetSchemaOverlays(context.ServerId, context.ToolName) ?? [];
        var tool = context.Tool is { InputSchema: not null } t ? t : null;
        if (tool is null && overlays.Count == 0)
        {
            return next(context, cancellationToken);
        }

        var arguments = context.Arguments.ToJsonElement();
        var dialect = _registry.Options.DefaultDialect;
        if (tool is not null)
        {
            // One compilation per descriptor; descriptors built anew for the same schema still share the registry's cache.
            var compiled = _compiled.GetValue(tool, Compile);
            if (compiled is InvalidSchemaException error)
            {
                LogInvalidSchema(_logger, context.QualifiedName, error.Message);
                context.Result = Denials.Create(SchemaErrorRuleId, "the tool's input schema cannot be used to check its arguments, so it was not run");
                return ValueTask.CompletedTask;
            }

            var validator = (JsonSchemaValidator)compiled;
            dialect = validator.Dialect;
            var result = validator.Validate(arguments);
            if (!result.IsValid)
            {
                var first = result.Errors[0];
                LogInvalidArguments(_logger, context.QualifiedName, RuleId, first.InstanceLocation, first.Keyword, result.Errors.Count);
                context.Result = Denials.Create(RuleId, Explain(result));
                return ValueTask.CompletedTask;
            }
        }

        // Every matching entry's overlay must pass too, in policy order; the first that fails names the denial.
        foreach (var overlay in overlays)
        {
            var compiled = OverlayValidator(overlay, dialect);
            if (compiled is InvalidSchemaException error)
            {
                LogInvalidSchema(_logger, context.QualifiedName, overlay.RuleId + ": " + error.Message);
                context.Result = Denials.Create(SchemaErrorRuleId, $"the policy's schema overlay {overlay.RuleId} cannot be used to check the arguments, so the call was not run");
                return ValueTask.CompletedTask;
            }

            var result = ((JsonSchemaValidator)compiled).Validate(arguments);
            if (!result.IsValid)
            {
                var first = result.Errors[0];
                LogInvalidArguments(_logger, context.QualifiedName, overlay.RuleId, first.InstanceLocation, first.Keyword, result.Errors.Count);
                context.Result = Denials.Create(overlay.RuleId, Explain(result, $"the arguments do not match the policy's schema for this tool ({overlay.RuleId}): "));
                return ValueTask.CompletedTask;
            }
        }

        return next(context, cancellationToken);
    }

    /// <summary>"the arguments do not match the tool's input schema: &lt;message&gt; (keyword 'k' at argument '/a'); … and 2 more".</summary>
    internal static string Explain(SchemaValidationResult result, string prefix = "the arguments do not match the tool's input schema: ")
    {
        var builder = new StringBuilder(prefix);
        for (int i = 0; i < result.Errors.Count && i < ErrorsShown; i++)
        {
            var error = result.Errors[i];
            builder.Append(i == 0 ? string.Empty : "; ")
                .Append(error.Message.TrimEnd('.'))
                .Append(" (keyword '").Append(error.Keyword).Append("' at argument '").Append(error.InstanceLocation).Append("')");
        }

        if (result.Errors.Count > ErrorsShown)
        {
            builder.Append("; and ").Append(result.Errors.Count - ErrorsShown).Append(" more");
        }

        return builder.ToString();
    }

    private object Compile(ToolDescriptor tool)
    {
        try
        {
            return _registry.GetValidator(tool.InputSchema!.Value);
        }
        catch (InvalidSchemaException ex)
        {
            return ex;
        }
    }

    /// <summary>
    /// The overlay's validator (or the reason it has none), per dialect: an overlay without <c>$schema</c> is read in the
    /// dialect of the tool's input schema, or the registry's default dialect when the tool has none.
    /// </summary>
    private object OverlayValidator(ToolSchemaOverlay overlay, JsonSchemaDialect dialect)
    {
        var slots = _overlays.GetValue(overlay, static _ => new object?[2]);
        var slot = dialect == JsonSchemaDialect.Draft7 ? 1 : 0;
        if (Volatile.Read(ref slots[slot]) is { } cached)
        {
            return cached;
        }

        object compiled;
        try
        {
            compiled = _registry.GetValidator(InDialect(overlay.Schema, dialect));
        }
        catch (InvalidSchemaException ex)
        {
            compiled = ex;
        }

        Volatile.Write(ref slots[slot], compiled);
        return compiled;
    }

    private JsonElement InDialect(JsonElement overlay, JsonSchemaDialect dialect)
    {
        if (overlay.ValueKind != JsonValueKind.Object || overlay.TryGetProperty("$schema", out _) || dialect == _registry.Options.DefaultDialect)
        {
            return overlay;
        }

        var copy = new JsonObject { ["$schema"] = dialect == JsonSchemaDialect.Draft7 ? Vocabulary.Draft7Uri + "#" : Vocabulary.Draft202012Uri };
        foreach (var property in overlay.EnumerateObject())
        {
            copy[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }

        using var document = JsonDocument.Parse(copy.ToJsonString());
        return document.RootElement.Clone();
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Error, Message = "Refused a call to {Tool}: its input schema cannot be compiled: {Error}")]
    private static partial void LogInvalidSchema(ILogger logger, string tool, string error);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Denied a call to {Tool} ({RuleId}): argument '{Location}' fails '{Keyword}' ({Count} schema errors).")]
    private static partial void LogInvalidArguments(ILogger logger, string tool, string ruleId, string location, string keyword, int count);
}
