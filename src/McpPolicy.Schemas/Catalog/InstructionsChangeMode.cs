namespace McpPolicy.Schemas;

/// <summary>What a change of a server's instructions does to the calls of that server's tools.</summary>
public enum InstructionsChangeMode
{
    /// <summary>Every tool of the server gets <c>defaults.changedTool</c> until the new instructions are approved.</summary>
    QuarantineServer,

    /// <summary>The change is reported and listed as pending, but calls are not affected.</summary>
    Flag,
}
