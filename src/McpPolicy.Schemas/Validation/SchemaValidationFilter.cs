using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// Pipeline step <see cref="ToolInvocationFilterOrder.Validate"/>: validates a call's arguments against the tool's
/// <see cref="ToolDescriptor.InputSchema"/> before anything else looks at them. Invalid arguments are denied with rule id
/// <c>schema</c>, naming the argument location and the failing keyword so the model can correct the call; a tool whose
/// schema cannot be compiled is denied with <c>schema-error</c> (errors block).
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
    private readonly ConditionalWeakTable<ToolDescriptor, object> _compiled = [];

    public SchemaValidationFilter(SchemaRegistry registry, ILogger<SchemaValidationFilter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public int Order => ToolInvocationFilterOrder.Validate;

    public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Tool is not { InputSchema: not null } tool)
        {
            return next(context, cancellationToken);
        }

        // One compilation per descriptor; descriptors built anew for the same schema still share the registry's cache.
        var compiled = _compiled.GetValue(tool, Compile);
        if (compiled is InvalidSchemaException error)
        {
            LogInvalidSchema(_logger, context.QualifiedName, error.Message);
            context.Result = Denials.Create(SchemaErrorRuleId, "the tool's input schema cannot be used to check its arguments, so it was not run");
            return ValueTask.CompletedTask;
        }

        var result = ((JsonSchemaValidator)compiled).Validate(context.Arguments.ToJsonElement());
        if (!result.IsValid)
        {
            var first = result.Errors[0];
            LogInvalidArguments(_logger, context.QualifiedName, first.InstanceLocation, first.Keyword, result.Errors.Count);
            context.Result = Denials.Create(RuleId, Explain(result));
            return ValueTask.CompletedTask;
        }

        return next(context, cancellationToken);
    }

    /// <summary>"the arguments do not match the tool's input schema: &lt;message&gt; (keyword 'k' at argument '/a'); … and 2 more".</summary>
    internal static string Explain(SchemaValidationResult result)
    {
        var builder = new StringBuilder("the arguments do not match the tool's input schema: ");
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

    [LoggerMessage(EventId = 210, Level = LogLevel.Error, Message = "Refused a call to {Tool}: its input schema cannot be compiled: {Error}")]
    private static partial void LogInvalidSchema(ILogger logger, string tool, string error);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Denied a call to {Tool}: argument '{Location}' fails '{Keyword}' ({Count} schema errors).")]
    private static partial void LogInvalidArguments(ILogger logger, string tool, string location, string keyword, int count);
}
