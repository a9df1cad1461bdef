namespace McpPolicy.Schemas;

/// <summary>An approved hash of something a server shows the model besides its tools (its instructions, prompt or resource listing).</summary>
/// <param name="Hash">The SHA-256 hash, as 64 lower-case hex characters (see <see cref="CatalogHash"/>).</param>
/// <param name="ApprovedBy">Who approved it.</param>
/// <param name="ApprovedAt">When it was approved.</param>
public sealed record LockedHash(string Hash, string ApprovedBy, DateTimeOffset ApprovedAt);
