namespace McpPolicy.Schemas;

/// <summary>
/// How schemas are compiled and instances validated: the dialect for schemas without <c>$schema</c>, format assertion,
/// and the limits that keep hostile schemas and instances from exhausting time, memory or the stack.
/// </summary>
/// <remarks>The options are checked when a <see cref="SchemaRegistry"/> is created and are read-only afterwards.</remarks>
public sealed class JsonSchemaOptions
{
    /// <summary>The defaults: 2020-12, formats as annotations, and the limits documented on each property.</summary>
    public static JsonSchemaOptions Default { get; } = new();

    /// <summary>The dialect of a schema that has no <c>$schema</c> keyword (default 2020-12, as MCP specifies).</summary>
    public JsonSchemaDialect DefaultDialect { get; init; } = JsonSchemaDialect.Draft202012;

    /// <summary>
    /// Whether <c>format</c> is asserted for date-time, date, time, email, hostname, ipv4, ipv6, uri, uuid and regex (default false:
    /// <c>format</c> is an annotation, as JSON Schema specifies). Other formats are never asserted.
    /// </summary>
    public bool AssertFormat { get; init; }

    /// <summary>The largest schema accepted, in UTF-8 bytes of its JSON text (default 1 MiB).</summary>
    public int MaxSchemaBytes { get; init; } = 1 << 20;

    /// <summary>The deepest nesting of objects and arrays accepted in a schema document (default 128).</summary>
    public int MaxSchemaDepth { get; init; } = 128;

    /// <summary>The most subschemas one compilation may produce, counting referenced documents (default 100,000).</summary>
    public int MaxSchemaNodes { get; init; } = 100_000;

    /// <summary>
    /// The deepest nesting of subschema evaluations (which follows the instance's nesting and reference chains), and of value
    /// comparisons; deeper instances fail with an error instead of exhausting the stack (default 512).
    /// </summary>
    public int MaxEvaluationDepth { get; init; } = 512;

    /// <summary>The longest one validation may take, including each regular expression match (default 2 seconds).</summary>
    public TimeSpan ValidationTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The most errors one validation reports (default 50).</summary>
    public int MaxErrors { get; init; } = 50;

    /// <summary>The most compiled validators a registry keeps (default 1,024; the cache starts over when full).</summary>
    public int MaxCachedValidators { get; init; } = 1024;

    /// <summary>The clock for <see cref="ValidationTimeout"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks that every limit is usable.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is zero or negative, or a value is undefined.</exception>
    /// <exception cref="ArgumentNullException"><see cref="TimeProvider"/> is null.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(DefaultDialect))
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultDialect), DefaultDialect, "Unknown dialect.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSchemaBytes, nameof(MaxSchemaBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSchemaDepth, nameof(MaxSchemaDepth));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSchemaNodes, nameof(MaxSchemaNodes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxEvaluationDepth, nameof(MaxEvaluationDepth));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxErrors, nameof(MaxErrors));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxCachedValidators, nameof(MaxCachedValidators));
        if (ValidationTimeout <= TimeSpan.Zero && ValidationTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ValidationTimeout), ValidationTimeout, "The timeout must be positive (or infinite).");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
