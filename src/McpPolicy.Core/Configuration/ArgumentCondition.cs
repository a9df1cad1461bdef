using System.Text.Json;

namespace McpPolicy;

/// <summary>
/// Conditions on one argument value; every condition set must hold. Used as a constraint in <c>tools[].arguments</c>
/// (violated when it does not hold) and as a condition in <c>rules[].when</c> (the rule fires when it holds).
/// A value of the wrong type for a condition counts against the caller: the constraint is violated and the rule fires.
/// Applied to an array, a constraint must hold for every element, and a rule fires when it holds for any element.
/// </summary>
public sealed class ArgumentCondition
{
    /// <summary>The value must equal this JSON value (numbers compare by value).</summary>
    public JsonElement? EqualTo { get; set; }

    /// <summary>The value must be one of these JSON values.</summary>
    public IList<JsonElement>? In { get; set; }

    /// <summary>The value must be none of these JSON values.</summary>
    public IList<JsonElement>? NotIn { get; set; }

    /// <summary>A string value must contain a match of this regular expression (unanchored; use ^ and $ to anchor). Evaluated without backtracking.</summary>
    public string? Pattern { get; set; }

    /// <summary>A numeric value must be at least this.</summary>
    public decimal? Min { get; set; }

    /// <summary>A numeric value must be at most this.</summary>
    public decimal? Max { get; set; }

    /// <summary>A string value must have at least this many characters (Unicode code points).</summary>
    public int? MinLength { get; set; }

    /// <summary>A string value must have at most this many characters (Unicode code points).</summary>
    public int? MaxLength { get; set; }

    /// <summary>
    /// Typed constraints contributed by other packages (<see cref="IArgumentConstraintKind"/>), keyed by kind name such as
    /// <c>path</c>, <c>url</c> or <c>commandLine</c>, with their JSON settings.
    /// </summary>
    public IDictionary<string, JsonElement> Typed { get; } = new Dictionary<string, JsonElement>(StringComparer.Ordinal);

    /// <summary>In a constraint: the argument must be present. In a rule: ignored (an absent argument never holds).</summary>
    public bool Required { get; set; }

    /// <summary>True when the values came from <c>IConfiguration</c>, where every value is a string: then "5" also equals the number 5 and "true" the boolean.</summary>
    internal bool FromConfiguration { get; set; }

    /// <summary>Creates a condition from a CLR value for <see cref="EqualTo"/>.</summary>
    /// <param name="value">A value System.Text.Json can serialize.</param>
    /// <returns>The condition.</returns>
    public static ArgumentCondition Equal<T>(T value) => new() { EqualTo = JsonSerializer.SerializeToElement(value) };

    /// <summary>Creates a condition that allows only the given values.</summary>
    /// <param name="values">The allowed values.</param>
    /// <returns>The condition.</returns>
    public static ArgumentCondition OneOf<T>(params T[] values) => new() { In = values.Select(v => JsonSerializer.SerializeToElement(v)).ToList() };

    /// <summary>Creates a condition that forbids the given values.</summary>
    /// <param name="values">The forbidden values.</param>
    /// <returns>The condition.</returns>
    public static ArgumentCondition NoneOf<T>(params T[] values) => new() { NotIn = values.Select(v => JsonSerializer.SerializeToElement(v)).ToList() };
}
