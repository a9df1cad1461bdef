using System.Text.Json;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// The numeric keywords of one schema (<c>minimum</c>, <c>maximum</c>, <c>exclusiveMinimum</c>, <c>exclusiveMaximum</c>,
/// <c>multipleOf</c>, and an <c>integer</c> type check) evaluated together on one exact reading of the number.
/// </summary>
internal sealed class NumberKeyword : Keyword
{
    private readonly Bound[] _bounds;
    private readonly SchemaNumber? _multipleOf;
    private readonly string? _multipleOfLocation;

    public NumberKeyword(string name, string location, IReadOnlyList<(string Name, string Location, SchemaNumber Limit)> bounds, SchemaNumber? multipleOf, string? multipleOfLocation)
        : base(name, location)
    {
        _bounds = bounds.Select(b => new Bound(b.Name, b.Location, b.Limit)).ToArray();
        _multipleOf = multipleOf;
        _multipleOfLocation = multipleOfLocation;
    }

    /// <summary>The bounds: keyword name and limit.</summary>
    public IEnumerable<(string Name, SchemaNumber Limit)> Bounds => _bounds.Select(b => (b.Name, b.Limit));

    /// <summary>Whether <c>multipleOf</c> is part of this keyword.</summary>
    public bool HasMultipleOf => _multipleOf is not null;

    /// <summary>Set when the schema's <c>type</c> allows integers but not other numbers: the check happens here, on the same reading.</summary>
    public (string Location, string Expected)? IntegerType { get; set; }

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (instance.ValueKind != JsonValueKind.Number)
        {
            return true;
        }

        var number = JsonNumber.Of(instance);
        bool valid = true;
        if (IntegerType is { } integerType && !number.IsInteger)
        {
            if (!state.Collect)
            {
                return false;
            }

            valid = false;
            state.Report("type", integerType.Location, "must be " + integerType.Expected + ", but is a number");
        }

        foreach (var bound in _bounds)
        {
            int comparison = JsonNumber.Compare(number, bound.Limit.View);
            if (comparison == bound.AllowedSign || (comparison == 0 && bound.Inclusive))
            {
                continue;
            }

            if (!state.Collect)
            {
                return false;
            }

            valid = false;
            state.Report(bound.Name, bound.Location, "must be " + bound.Phrase + bound.Limit.Text + ", but is " + Describe.Preview(instance));
        }

        if (_multipleOf is not null && !number.IsMultipleOf(_multipleOf.View))
        {
            valid = false;
            if (state.Collect)
            {
                state.Report("multipleOf", _multipleOfLocation!, "must be a multiple of " + _multipleOf.Text + ", but is " + Describe.Preview(instance));
            }
        }

        return valid;
    }

    private sealed class Bound
    {
        public Bound(string name, string location, SchemaNumber limit)
        {
            Name = name;
            Location = location;
            Limit = limit;
            (AllowedSign, Inclusive, Phrase) = name switch
            {
                "minimum" => (1, true, "greater than or equal to "),
                "exclusiveMinimum" => (1, false, "greater than "),
                "maximum" => (-1, true, "less than or equal to "),
                _ => (-1, false, "less than "),
            };
        }

        public string Name { get; }

        public string Location { get; }

        public SchemaNumber Limit { get; }

        public int AllowedSign { get; }

        public bool Inclusive { get; }

        public string Phrase { get; }
    }
}
