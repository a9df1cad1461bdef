using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// Validates a tool's <c>structuredContent</c> against its declared <c>outputSchema</c> after the tool ran. It runs at
/// <see cref="Order"/>, inside <see cref="ToolInvocationFilterOrder.Inspect"/>, so it judges exactly what the tool
/// returned, before inspection steps sanitize or redact it (a redaction must not turn a valid result invalid), and every
/// outer step sees either a result that honours the schema or the replacement error. A result that is an error passes
/// through; a missing or mismatching <c>structuredContent</c> is replaced by an error with rule id <c>output-schema</c>
/// that names only locations and keywords, never the content.
/// </summary>
internal sealed partial class OutputSchemaValidationFilter : IToolInvocationFilter
{
    /// <summary>The rule id of a result replaced because it does not match the tool's output schema.</summary>
    public const string RuleId = "output-schema";

    /// <summary>Innermost: after <see cref="ToolInvocationFilterOrder.Inspect"/>, next to the tool.</summary>
    public const int FilterOrder = ToolInvocationFilterOrder.Inspect + 50;

    private const int ErrorsShown = 3;
    private const string Prefix = "the tool's result does not match its declared output schema: ";

    private readonly SchemaRegistry _registry;
    private readonly ILogger _logger;
    private readonly ConditionalWeakTable<ToolDescriptor, object> _compiled = [];

    public OutputSchemaValidationFilter(SchemaRegistry registry, ILogger<OutputSchemaValidationFilter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public int Order => FilterOrder;

    public async ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        await next(context, cancellationToken).ConfigureAwait(false);
        if (!context.ToolInvoked
            || context.Result is not { IsError: not true } result
            || context.Tool is not { ProtocolTool.OutputSchema: { ValueKind: not JsonValueKind.Undefined } } tool)
        {
            return;
        }

        var compiled = _compiled.GetValue(tool, Compile);
        if (compiled is InvalidSchemaException error)
        {
            LogInvalidSchema(_logger, context.QualifiedName, error.Message);
            context.Result = Denials.Create(RuleId, Prefix + "the output schema cannot be compiled, so the result is withheld");
            return;
        }

        if (result.StructuredContent is not { ValueKind: not JsonValueKind.Undefined } content)
        {
            LogMismatch(_logger, context.QualifiedName, "", "structuredContent", 1);
            context.Result = Denials.Create(RuleId, Prefix + "structuredContent is missing");
            return;
        }

        var validation = ((JsonSchemaValidator)compiled).Validate(content);
        if (!validation.IsValid)
        {
            var first = validation.Errors[0];
            LogMismatch(_logger, context.QualifiedName, first.InstanceLocation, first.Keyword, validation.Errors.Count);
            context.Result = Denials.Create(RuleId, Explain(validation));
        }
    }

    /// <summary>Names only each failing keyword and its location: error messages may quote the content, which must not leak.</summary>
    internal static string Explain(SchemaValidationResult result)
    {
        var builder = new StringBuilder(Prefix);
        for (int i = 0; i < result.Errors.Count && i < ErrorsShown; i++)
        {
            var error = result.Errors[i];
            builder.Append(i == 0 ? string.Empty : "; ")
                .Append("keyword '").Append(error.Keyword).Append("' fails at '").Append(error.InstanceLocation).Append('\'');
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
            return _registry.GetValidator(tool.ProtocolTool!.OutputSchema!.Value);
        }
        catch (InvalidSchemaException ex)
        {
            return ex;
        }
    }

    [LoggerMessage(EventId = 212, Level = LogLevel.Error, Message = "Withheld the result of {Tool}: its output schema cannot be compiled: {Error}")]
    private static partial void LogInvalidSchema(ILogger logger, string tool, string error);

    [LoggerMessage(EventId = 213, Level = LogLevel.Warning, Message = "Withheld the result of {Tool}: structured content at '{Location}' fails '{Keyword}' ({Count} schema errors).")]
    private static partial void LogMismatch(ILogger logger, string tool, string location, string keyword, int count);
}
