namespace McpPolicy;

/// <summary>
/// What a tool's data means for information flow in a conversation. A tool can carry several labels; the flow rules of
/// McpPolicy.Chains use them to spot untrusted content and private data reaching an external sink.
/// </summary>
[Flags]
public enum FlowLabels
{
    /// <summary>No label: the tool neither brings in untrusted content nor private data, nor sends data out.</summary>
    None = 0,

    /// <summary>The tool's results can carry content from outside the user's control (web pages, inbound mail, issues).</summary>
    UntrustedSource = 1,

    /// <summary>The tool's results carry private data (secrets, personal records, account details).</summary>
    PrivateData = 2,

    /// <summary>The tool can send data outside (HTTP requests, mail, messages, payments).</summary>
    ExternalSink = 4,

    /// <summary>The tool changes or deletes state that is hard to restore.</summary>
    Destructive = 8,
}
