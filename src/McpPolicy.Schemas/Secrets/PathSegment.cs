using System.Globalization;
using System.Text.Json;

namespace McpPolicy.Schemas.Secrets;

/// <summary>One step from the arguments to a value: a top-level argument name, a property, or an array index.</summary>
internal readonly struct PathSegment
{
    private readonly string? _name;
    private readonly JsonProperty _property;
    private readonly int _index;

    private PathSegment(string? name, JsonProperty property, int index)
    {
        _name = name;
        _property = property;
        _index = index;
    }

    public static PathSegment Argument(string name) => new(name, default, -1);

    public static PathSegment Property(JsonProperty property) => new(null, property, -1);

    public static PathSegment Item(int index) => new(null, default, index);

    /// <summary>The segment as text (allocates; only for reasons).</summary>
    public string Text => _index >= 0 ? _index.ToString(CultureInfo.InvariantCulture) : _name ?? _property.Name;

    public bool Matches(in PatternSegment pattern)
    {
        if (pattern.IsWildcard)
        {
            return true;
        }

        if (_index >= 0)
        {
            return pattern.Index == _index;
        }

        return _name is not null ? string.Equals(_name, pattern.Text, StringComparison.Ordinal) : _property.NameEquals(pattern.Text);
    }
}
