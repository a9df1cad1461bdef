using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy;

/// <summary>
/// An <see cref="IApprovalHandler"/> for MCP servers: asks the user of the calling client, through MCP elicitation, whether
/// a HIGH call may proceed (a yes/no form with an optional comment). A client that did not declare the form elicitation
/// capability cannot be asked, so the call is denied. Register it with <c>AddElicitationApprovals()</c>.
/// </summary>
/// <remarks>
/// The answer comes from the client: a client that answers elicitations without showing them to a person defeats it. Use it
/// where the client is trusted to relay the user's decision, and a store-based approval flow otherwise.
/// </remarks>
public sealed partial class ElicitationApprovalHandler : IApprovalHandler
{
    /// <summary>The approver recorded when the client cannot be asked (no elicitation support, or no MCP request behind the call).</summary>
    public const string UnsupportedApprover = "elicitation-unsupported";

    /// <summary>The approver recorded when the caller has no authenticated name.</summary>
    public const string DefaultApprover = "mcp-client-user";

    /// <summary>The form field holding the yes/no answer.</summary>
    public const string ApproveField = "approve";

    /// <summary>The form field holding the optional comment.</summary>
    public const string CommentField = "comment";

    private const int MaxCommentLength = 500;

    private readonly ILogger _logger;

    /// <summary>Creates the handler.</summary>
    /// <param name="logger">Receives one entry per question asked and answered.</param>
    public ElicitationApprovalHandler(ILogger<ElicitationApprovalHandler>? logger = null)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public async ValueTask<ApprovalResponse> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var server = FindServer(request.Invocation);
        if (server?.ClientCapabilities?.Elicitation?.Form is null)
        {
            LogUnsupported(_logger, request.QualifiedName);
            return ApprovalResponse.Deny(UnsupportedApprover, "the client does not support elicitation, so the user could not be asked");
        }

        var approver = ApproverOf(request.Principal ?? request.Invocation?.Principal);
        LogAsking(_logger, request.QualifiedName, approver);
        var result = await server.ElicitAsync(CreateElicitation(request), cancellationToken).ConfigureAwait(false);

        var comment = ReadComment(result);
        if (result.IsAccepted && result.Content is { } content
            && content.TryGetValue(ApproveField, out var approve) && approve.ValueKind == JsonValueKind.True)
        {
            LogAnswered(_logger, request.QualifiedName, approver, true);
            return ApprovalResponse.Approve(approver, comment);
        }

        LogAnswered(_logger, request.QualifiedName, approver, false);
        return ApprovalResponse.Deny(approver, comment ?? DescribeRefusal(result.Action));
    }

    /// <summary>Builds the form the user is shown: the tool, its risk, why approval is needed and a preview of the arguments.</summary>
    /// <param name="request">The approval request.</param>
    /// <returns>The elicitation parameters.</returns>
    public static ElicitRequestParams CreateElicitation(ApprovalRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new ElicitRequestParams
        {
            Message = FormatMessage(request),
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>(StringComparer.Ordinal)
                {
                    [ApproveField] = new ElicitRequestParams.BooleanSchema
                    {
                        Title = "Approve this call",
                        Description = "Allow this exact call to run once.",
                        Default = false,
                    },
                    [CommentField] = new ElicitRequestParams.StringSchema
                    {
                        Title = "Comment",
                        Description = "Optional note, recorded with the decision.",
                        MaxLength = MaxCommentLength,
                    },
                },
                Required = [ApproveField],
            },
        };
    }

    private static string FormatMessage(ApprovalRequest request)
    {
        var text = new StringBuilder(256);
        text.Append("Approve this tool call?\n");
        text.Append("Tool: ").Append(request.QualifiedName).Append('\n');
        text.Append("Risk: ").Append(request.Risk).Append('\n');
        text.Append("Why approval is needed:");
        foreach (var reason in request.Reasons)
        {
            text.Append("\n- ").Append(reason.Message).Append(" (").Append(reason.Id).Append(')');
        }

        text.Append("\nArguments: ").Append(request.ArgumentsPreview).Append('\n');
        text.Append("The answer applies to this exact call only; the request expires at ")
            .Append(request.ExpiresAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))
            .Append(" UTC.");
        return text.ToString();
    }

    private static string DescribeRefusal(string? action) => action switch
    {
        "decline" => "the user declined",
        "cancel" => "the user dismissed the request",
        _ => "the user did not approve",
    };

    private static McpServer? FindServer(ToolInvocationContext? invocation)
        => invocation is not null && invocation.Items.TryGetValue(typeof(McpServer), out var value) ? value as McpServer : null;

    private static string ApproverOf(ClaimsPrincipal? principal)
        => principal?.Identity?.Name is { Length: > 0 } name ? name : DefaultApprover;

    private static string? ReadComment(ElicitResult result)
    {
        if (result.Content is { } content && content.TryGetValue(CommentField, out var value)
            && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } comment)
        {
            return comment.Length > MaxCommentLength ? comment[..MaxCommentLength] : comment;
        }

        return null;
    }

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "Asking {Approver} through elicitation to approve {Tool}.")]
    private static partial void LogAsking(ILogger logger, string tool, string approver);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "{Approver} answered the approval of {Tool}: approved = {Approved}.")]
    private static partial void LogAnswered(ILogger logger, string tool, string approver, bool approved);

    [LoggerMessage(EventId = 113, Level = LogLevel.Information, Message = "Cannot ask for approval of {Tool}: the client does not support form elicitation; the call is denied.")]
    private static partial void LogUnsupported(ILogger logger, string tool);
}
