namespace McpPolicy;

/// <summary>
/// One step of the tool-call pipeline. A filter may inspect the call, short-circuit it by setting
/// <see cref="ToolInvocationContext.Result"/> and not calling <c>next</c>, or post-process the result after <c>next</c> returns.
/// </summary>
public interface IToolInvocationFilter
{
    /// <summary>Where the filter runs: lower values run first (outermost). See <see cref="ToolInvocationFilterOrder"/> for the built-in steps.</summary>
    int Order { get; }

    /// <summary>
    /// Whether the filter reads, replaces or changes <see cref="ToolInvocationContext.Result"/> once the tool ran (after <c>next</c>
    /// returns). The default is <see langword="true"/>: a filter that does not say otherwise is assumed to post-process results.
    /// </summary>
    /// <remarks>
    /// Return <see langword="false"/> only when the filter never looks at the tool's result, not even at
    /// <see cref="ModelContextProtocol.Protocol.CallToolResult.IsError"/> (a filter may still set <see cref="ToolInvocationContext.Result"/>
    /// to a denial <em>instead of</em> calling <c>next</c>). When no filter of a pipeline post-processes, the host gate
    /// (<see cref="PolicyClientTransport"/>) does not decode the server's result: it hands the server's response to the client as it came
    /// (fields the SDK does not know included; the client decodes it itself), and the <see cref="ToolInvocationContext.Result"/> such a
    /// filter sees after <c>next</c> is an empty placeholder, which is then discarded. A filter that breaks this promise sees no real result
    /// and cannot change what the client receives. When any filter post-processes, the result is decoded, passes back out through the
    /// filters and is re-encoded from what they leave. The server side (<c>WithPolicy</c>) always passes real results.
    /// </remarks>
    bool PostProcessesResults => true;

    /// <summary>Runs the filter.</summary>
    /// <param name="context">The call.</param>
    /// <param name="next">The rest of the pipeline.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the filter is done.</returns>
    ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken);
}
