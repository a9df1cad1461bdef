using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpPolicy.Schemas.Constraints;

/// <summary>
/// Pipeline step <see cref="ToolInvocationFilterOrder.Validate"/>: enforces the constraint attributes of server tools
/// (<see cref="AllowedPathsAttribute"/>, <see cref="AllowedHostsAttribute"/>, <see cref="AllowedCommandsAttribute"/>) read
/// from <see cref="ToolDescriptor.Metadata"/>. A violating call is denied before the policy is evaluated, naming the argument
/// and the attribute; a tool whose attributes are invalid is never run.
/// </summary>
internal sealed partial class ArgumentConstraintFilter : IToolInvocationFilter
{
    private readonly ILogger _logger;

    public ArgumentConstraintFilter(ILogger<ArgumentConstraintFilter>? logger = null)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public int Order => ToolInvocationFilterOrder.Validate;

    /// <inheritdoc />
    /// <remarks>False: the filter decides before the tool runs and never looks at its result.</remarks>
    public bool PostProcessesResults => false;

    public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Tool is not { Metadata.Count: > 0 } tool)
        {
            return next(context, cancellationToken);
        }

        var constraints = ToolArgumentConstraints.For(tool);
        if (constraints.Error is { } error)
        {
            LogInvalidAttributes(_logger, context.QualifiedName, error);
            context.Result = Denials.Create("attribute-error", "the tool's argument constraint attributes are invalid, so it was not run");
            return ValueTask.CompletedTask;
        }

        if (constraints.FindViolation(context.Arguments) is { } violation)
        {
            LogViolation(_logger, context.QualifiedName, violation.Attribute.Argument, violation.RuleId);
            context.Result = Denials.Create(violation.RuleId, violation.Message);
            return ValueTask.CompletedTask;
        }

        return next(context, cancellationToken);
    }

    [LoggerMessage(EventId = 201, Level = LogLevel.Error, Message = "Refused a call to {Tool}: its argument constraint attributes are invalid: {Error}")]
    private static partial void LogInvalidAttributes(ILogger logger, string tool, string error);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Denied a call to {Tool}: argument {Argument} violates {Rule}.")]
    private static partial void LogViolation(ILogger logger, string tool, string argument, string rule);
}
