namespace McpPolicy.Schemas;

/// <summary>The data of <see cref="CatalogGuard.ChangeDetected"/>: one new difference between a live catalog and the lock.</summary>
public sealed class CatalogChangeEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="change">The change.</param>
    public CatalogChangeEventArgs(CatalogChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        Change = change;
    }

    /// <summary>The change.</summary>
    public CatalogChange Change { get; }
}
