namespace McpPolicy.Schemas.Secrets;

/// <summary>What a scan of the arguments found, and where: the first <paramref name="Depth"/> path segments lead to it.</summary>
/// <param name="Kind">What was found; <see cref="SecretKind.None"/> for nothing.</param>
/// <param name="Depth">How many path segments lead to the value (or to the property whose name was flagged).</param>
/// <param name="InName">True when a property or argument name, not a value, looks like the secret.</param>
internal readonly record struct SecretFinding(SecretKind Kind, int Depth, bool InName);
