namespace McpPolicy;

/// <summary>
/// Decides whether a tool a server lists is shown in <c>tools/list</c> responses, on top of the policy's own rule (a tool whose listing
/// risk is <see cref="RiskLevel.Block"/> is always hidden). Register any number in the service collection; a tool is shown only when
/// every registered filter returns <see langword="true"/>. A filter that throws hides the tool (fail closed).
/// </summary>
/// <remarks>
/// Hiding changes only what the client (and so the model) sees: the tool stays in the host's <see cref="ToolCatalog"/>, and a call to it
/// is still decided by the policy like any other. Consulted by the host gate created from the service provider
/// (<see cref="McpPolicyClientServiceProviderExtensions.CreatePolicyTransport"/>, <see cref="McpPolicyClient.CreateAsync"/>) for every
/// tool of every <c>tools/list</c> page, before the page is recorded in the catalog (so it must judge a tool from the descriptor it is
/// given, not from what the catalog recorded), and by the server-side list filter of <c>WithPolicy</c>. A
/// <see cref="PolicyClientTransport"/> made with its public constructor has no service provider and consults no listing filter.
/// Called on the transport's reader or the server's request thread, concurrently for different servers: implementations must be
/// thread-safe and fast.
/// </remarks>
public interface IToolListingFilter
{
    /// <summary>Whether <paramref name="tool"/> of <paramref name="serverId"/> may be shown to the client.</summary>
    /// <param name="serverId">The host-configured server id (the server's own id on the server side).</param>
    /// <param name="tool">The tool's definition as listed now.</param>
    /// <returns><see langword="true"/> to show the tool; <see langword="false"/> to hide it from the listing.</returns>
    bool IsListable(string serverId, ToolDescriptor tool);
}
