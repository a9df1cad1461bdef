using System.Globalization;
using System.Runtime.CompilerServices;

namespace McpPolicy.Chains;

/// <summary>A call that ran in a conversation, as flow reasons name it: its position, tool and JSON-RPC request id.</summary>
/// <param name="Sequence">The call's position among the conversation's calls that ran, from 1.</param>
/// <param name="QualifiedName">The server-qualified tool name, <c>serverId/toolName</c>.</param>
/// <param name="RequestId">The JSON-RPC request id, when known.</param>
public readonly record struct FlowCall(long Sequence, string QualifiedName, string? RequestId)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var text = new DefaultInterpolatedStringHandler(24, 3, CultureInfo.InvariantCulture);
        AppendTo(ref text);
        return text.ToStringAndClear();
    }

    /// <summary>Appends <see cref="ToString"/>'s text to <paramref name="text"/>, for messages that name the call.</summary>
    internal void AppendTo(ref DefaultInterpolatedStringHandler text)
    {
        text.AppendLiteral("call #");
        text.AppendFormatted(Sequence);
        text.AppendLiteral(" ");
        text.AppendFormatted(QualifiedName);
        if (RequestId is not null)
        {
            text.AppendLiteral(" (request ");
            text.AppendFormatted(RequestId);
            text.AppendLiteral(")");
        }
    }
}
