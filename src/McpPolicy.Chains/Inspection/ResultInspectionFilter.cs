using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Chains.Inspection;

/// <summary>
/// Post-processes every tool result at <see cref="ToolInvocationFilterOrder.Inspect"/>: removes or makes visible escape sequences
/// and invisible or control characters in every part of it (text blocks, <c>structuredContent</c> values and property names,
/// embedded text resources, resource links, nested tool results), redacts secret-looking values through every registered
/// <see cref="IResultRedactor"/>, and marks text as untrusted when configured. What it changed is stored as a
/// <see cref="ResultInspectionReport"/> in <see cref="ToolInvocationContext.Items"/> and in the result's <c>_meta</c>
/// (<see cref="ResultInspectionMetaKeys.Inspection"/>). If inspection fails, the result is replaced by a denial with rule id
/// <see cref="RuleId"/> that shows none of the content.
/// </summary>
internal sealed partial class ResultInspectionFilter : IToolInvocationFilter
{
    /// <summary>The rule id of a result withheld because it could not be inspected.</summary>
    public const string RuleId = "result-inspection";

    private readonly InspectionSettingsResolver _settings;
    private readonly IResultRedactor[] _redactors;
    private readonly ILogger _logger;

    public ResultInspectionFilter(IOptions<ResultInspectionOptions> options, IEnumerable<IResultRedactor> redactors, ILogger<ResultInspectionFilter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(redactors);
        _settings = new InspectionSettingsResolver(options.Value);
        _redactors = [.. redactors];
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public int Order => ToolInvocationFilterOrder.Inspect;

    public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var pending = next(context, cancellationToken);
        if (!pending.IsCompletedSuccessfully)
        {
            return AfterAsync(pending, context, cancellationToken);
        }

        pending.GetAwaiter().GetResult();
        InspectResult(context, cancellationToken);
        return default;
    }

    private async ValueTask AfterAsync(ValueTask pending, ToolInvocationContext context, CancellationToken cancellationToken)
    {
        await pending.ConfigureAwait(false);
        InspectResult(context, cancellationToken);
    }

    private void InspectResult(ToolInvocationContext context, CancellationToken cancellationToken)
    {
        if (context.Result is not { } result || Denials.IsDenial(result))
        {
            return;
        }

        try
        {
            var settings = _settings.For(context.ServerId, context.ToolName);
            var sanitizer = new ResultSanitizer(settings, _redactors, context);
            Inspect(result, ref sanitizer);
            var tally = sanitizer.Tally;
            if (!tally.Any)
            {
                return;
            }

            var report = new ResultInspectionReport
            {
                UnsafeText = settings.UnsafeText.ToString(),
                EscapeSequences = tally.EscapeSequences,
                ControlCharacters = tally.ControlCharacters,
                FormatCharacters = tally.FormatCharacters,
                Redactions = tally.Redactions,
                MarkedBlocks = tally.MarkedBlocks,
                UninspectedParts = tally.UninspectedParts,
            };
            result.Meta ??= [];
            result.Meta[ResultInspectionMetaKeys.Inspection] = ToJson(report);
            context.Items[typeof(ResultInspectionReport)] = report;
            if (report.Changed)
            {
                LogChanged(_logger, context.QualifiedName, report.EscapeSequences, report.ControlCharacters, report.FormatCharacters, report.Redactions, report.MarkedBlocks);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(_logger, context.QualifiedName, ex.GetType().Name);
            context.Result = Denials.Create(RuleId, "the tool's result could not be inspected, so it is withheld");
        }
    }

    /// <summary>
    /// Sanitizes <paramref name="result"/> in place: a changed string is assigned back to its block, a changed <c>structuredContent</c>
    /// replaces the old one, and everything unchanged keeps its instance.
    /// </summary>
    internal static void Inspect(CallToolResult result, ref ResultSanitizer sanitizer)
    {
        InspectContent(result.Content, ref sanitizer);
        if (result.StructuredContent is { } structured && sanitizer.TryRewrite(structured, out var rewritten))
        {
            result.StructuredContent = rewritten;
        }
    }

    private static void InspectContent(IList<ContentBlock>? content, ref ResultSanitizer sanitizer)
    {
        if (content is null)
        {
            return;
        }

        for (var i = 0; i < content.Count; i++)
        {
            switch (content[i])
            {
                case TextContentBlock text:
                    text.Text = sanitizer.Mark(sanitizer.Text(text.Text));
                    break;
                case EmbeddedResourceBlock embedded:
                    InspectResource(embedded.Resource, ref sanitizer);
                    break;
                case ResourceLinkBlock link:
                    link.Name = sanitizer.Text(link.Name);
                    link.Title = sanitizer.OptionalText(link.Title);
                    link.Description = sanitizer.OptionalText(link.Description);
                    link.Uri = sanitizer.Text(link.Uri);
                    link.MimeType = sanitizer.OptionalText(link.MimeType);
                    break;
                case ImageContentBlock image:
                    image.MimeType = sanitizer.Text(image.MimeType);
                    sanitizer.Tally.UninspectedParts++;
                    break;
                case AudioContentBlock audio:
                    audio.MimeType = sanitizer.Text(audio.MimeType);
                    sanitizer.Tally.UninspectedParts++;
                    break;
#pragma warning disable MCP9005 // Sampling blocks are deprecated, but a server can still send them, and their text reaches readers too.
                case ToolResultContentBlock nested:
                    InspectContent(nested.Content, ref sanitizer);
                    if (nested.StructuredContent is { } structured && sanitizer.TryRewrite(structured, out var rewritten))
                    {
                        nested.StructuredContent = rewritten;
                    }

                    break;
                case ToolUseContentBlock use:
                    use.Name = sanitizer.Text(use.Name);
                    if (sanitizer.TryRewrite(use.Input, out var input))
                    {
                        use.Input = input;
                    }

                    break;
#pragma warning restore MCP9005
                default:
                    sanitizer.Tally.UninspectedParts++;
                    break;
            }
        }
    }

    private static void InspectResource(ResourceContents resource, ref ResultSanitizer sanitizer)
    {
        resource.Uri = sanitizer.Text(resource.Uri);
        resource.MimeType = sanitizer.OptionalText(resource.MimeType);
        if (resource is TextResourceContents text)
        {
            text.Text = sanitizer.Mark(sanitizer.Text(text.Text));
        }
        else
        {
            sanitizer.Tally.UninspectedParts++;
        }
    }

    private static JsonObject ToJson(ResultInspectionReport report)
    {
        var json = new JsonObject { ["unsafeText"] = report.UnsafeText };
        Add(json, "escapeSequences", report.EscapeSequences);
        Add(json, "controlCharacters", report.ControlCharacters);
        Add(json, "formatCharacters", report.FormatCharacters);
        Add(json, "redactions", report.Redactions);
        Add(json, "markedBlocks", report.MarkedBlocks);
        Add(json, "uninspectedParts", report.UninspectedParts);
        return json;

        static void Add(JsonObject json, string name, int value)
        {
            if (value > 0)
            {
                json[name] = value;
            }
        }
    }

    [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "Inspected the result of {Tool}: {EscapeSequences} escape sequences, {ControlCharacters} control and {FormatCharacters} format characters handled, {Redactions} values redacted, {MarkedBlocks} blocks marked untrusted.")]
    private static partial void LogChanged(ILogger logger, string tool, int escapeSequences, int controlCharacters, int formatCharacters, int redactions, int markedBlocks);

    [LoggerMessage(EventId = 902, Level = LogLevel.Error, Message = "Withheld the result of {Tool}: inspecting it failed with {Exception}.")]
    private static partial void LogFailed(ILogger logger, string tool, string exception);
}
