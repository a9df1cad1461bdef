using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace McpPolicy.Gateway.Run;

/// <summary>
/// Decides HIGH calls for the gateway: asks the upstream client's user through MCP form elicitation when the client supports it; otherwise
/// runs the configured approval command (the request as JSON on its standard input, exit code 0 approves); otherwise denies.
/// Any failure (the command cannot start, times out, the client errors) denies.
/// </summary>
internal sealed partial class GatewayApprovalHandler : IApprovalHandler
{
    /// <summary>The approver recorded when nobody could be asked.</summary>
    public const string NoApprover = "gateway-no-approver";

    /// <summary>The approver recorded when the approval command decided.</summary>
    public const string CommandApprover = "approval-command";

    private static readonly AsyncLocal<McpServer?> Upstream = new();

    private readonly string? _command;
    private readonly ILogger _logger;

    public GatewayApprovalHandler(string? command, ILogger<GatewayApprovalHandler> logger)
    {
        _command = command;
        _logger = logger;
    }

    /// <summary>The upstream session of the request being forwarded on this async path (set by the gateway's call handler).</summary>
    public static McpServer? CurrentUpstream
    {
        get => Upstream.Value;
        set => Upstream.Value = value;
    }

    public async ValueTask<ApprovalResponse> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var server = CurrentUpstream;
        if (server?.ClientCapabilities?.Elicitation?.Form is not null)
        {
            LogAsking(_logger, request.QualifiedName);
            var result = await server.ElicitAsync(ElicitationApprovalHandler.CreateElicitation(request), cancellationToken).ConfigureAwait(false);
            if (result.IsAccepted && result.Content is { } content
                && content.TryGetValue(ElicitationApprovalHandler.ApproveField, out var approve) && approve.ValueKind == JsonValueKind.True)
            {
                return ApprovalResponse.Approve(ElicitationApprovalHandler.DefaultApprover, ReadComment(content));
            }

            return ApprovalResponse.Deny(ElicitationApprovalHandler.DefaultApprover, result.Action switch
            {
                "decline" => "the user declined",
                "cancel" => "the user dismissed the request",
                _ => "the user did not approve",
            });
        }

        if (_command is not null)
        {
            return await RunCommandAsync(request, cancellationToken).ConfigureAwait(false);
        }

        LogNobody(_logger, request.QualifiedName);
        return ApprovalResponse.Deny(NoApprover, "the client does not support elicitation and no --approval-command is configured, so HIGH calls are denied");
    }

    private static string? ReadComment(IDictionary<string, JsonElement> content)
        => content.TryGetValue(ElicitationApprovalHandler.CommentField, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private async Task<ApprovalResponse> RunCommandAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        var start = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe") { ArgumentList = { "/c", _command! } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", _command! } };
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var remaining = request.ExpiresAt - DateTimeOffset.UtcNow;
        timeout.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromSeconds(1));
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("the approval command did not start");
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.StandardInput.WriteAsync(DescribeRequest(request).AsMemory(), timeout.Token).ConfigureAwait(false);
            process.StandardInput.Close();
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            var said = (await stdout.ConfigureAwait(false)).Trim();
            _ = await stderr.ConfigureAwait(false);
            if (said.Length > 500)
            {
                said = said[..500];
            }

            LogCommandDecided(_logger, request.QualifiedName, process.ExitCode);
            return process.ExitCode == 0
                ? ApprovalResponse.Approve(CommandApprover, said.Length > 0 ? said : null)
                : ApprovalResponse.Deny(CommandApprover, said.Length > 0 ? said : $"the approval command refused (exit code {process.ExitCode})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ApprovalResponse.Deny(CommandApprover, "the approval command did not answer before the approval expired");
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            LogCommandFailed(_logger, request.QualifiedName, ex.Message);
            return ApprovalResponse.Deny(CommandApprover, "the approval command could not be run");
        }
    }

    /// <summary>The JSON the approval command reads: tool, risk, reasons, arguments preview, digest and expiry.</summary>
    internal static string DescribeRequest(ApprovalRequest request)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("server", request.ServerId);
            json.WriteString("tool", request.ToolName);
            json.WriteString("risk", request.Risk.ToString());
            json.WriteStartArray("reasons");
            foreach (var reason in request.Reasons)
            {
                json.WriteStartObject();
                json.WriteString("id", reason.Id);
                json.WriteString("message", reason.Message);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("arguments", request.ArgumentsPreview);
            json.WriteString("digest", request.Digest);
            json.WriteString("expiresAt", request.ExpiresAt);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    [LoggerMessage(EventId = 9101, Level = LogLevel.Information, Message = "Asking the upstream client's user to approve {Tool}.")]
    private static partial void LogAsking(ILogger logger, string tool);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Warning, Message = "{Tool} needs approval, but the upstream client does not support elicitation and no --approval-command is set: denied.")]
    private static partial void LogNobody(ILogger logger, string tool);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Information, Message = "The approval command decided {Tool} with exit code {ExitCode} (0 approves).")]
    private static partial void LogCommandDecided(ILogger logger, string tool, int exitCode);

    [LoggerMessage(EventId = 9104, Level = LogLevel.Warning, Message = "The approval command for {Tool} failed: {Reason}; the call is denied.")]
    private static partial void LogCommandFailed(ILogger logger, string tool, string reason);
}
