using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace McpPolicy.Schemas.Validation;

/// <summary>A bitset for one subschema's annotations, on the stack when small; merged into the parent's only when the subschema passes.</summary>
internal ref struct ScratchBits
{
    private ulong[]? _rented;

    public ScratchBits(Span<ulong> stack, int words)
    {
        _rented = null;
        Bits = words <= stack.Length ? stack[..words] : (_rented = ArrayPool<ulong>.Shared.Rent(words)).AsSpan(0, words);
    }

    public Span<ulong> Bits { get; }

    public readonly void Clear() => Bits.Clear();

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<ulong>.Shared.Return(_rented);
            _rented = null;
        }
    }
}

/// <summary><c>allOf</c>.</summary>
internal sealed class AllOfKeyword : Keyword
{
    private readonly SchemaNode[] _schemas;

    public AllOfKeyword(string location, SchemaNode[] schemas)
        : base("allOf", location) => _schemas = schemas;

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        bool valid = true;
        foreach (var schema in _schemas)
        {
            if (!schema.Evaluate(state, instance, evaluated))
            {
                valid = false;
                if (!state.Collect || state.Stopped)
                {
                    break;
                }
            }
        }

        return valid;
    }
}

/// <summary><c>anyOf</c>: stops at the first match unless annotations are needed.</summary>
internal sealed class AnyOfKeyword : Keyword
{
    private readonly SchemaNode[] _schemas;

    public AnyOfKeyword(string location, SchemaNode[] schemas)
        : base("anyOf", location) => _schemas = schemas;

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        bool tracking = !evaluated.IsEmpty;
        bool collect = state.Collect;
        state.Collect = false;
        bool valid = false;
        using var scratch = new ScratchBits(stackalloc ulong[8], tracking ? evaluated.Length : 0);
        foreach (var schema in _schemas)
        {
            scratch.Clear();
            if (schema.Evaluate(state, instance, scratch.Bits))
            {
                valid = true;
                if (!tracking)
                {
                    break;
                }

                Bits.Or(evaluated, scratch.Bits);
            }

            if (state.Stopped)
            {
                break;
            }
        }

        state.Collect = collect;
        if (state.Stopped)
        {
            return false;
        }

        if (valid)
        {
            return true;
        }

        if (collect)
        {
            var failures = new List<(int, List<SchemaValidationError>?)>();
            for (int i = 0; i < _schemas.Length; i++)
            {
                failures.Add((i, state.ExplainFailure(_schemas[i], instance)));
            }

            Fail(state, string.Create(CultureInfo.InvariantCulture,
                $"must match at least one of the {_schemas.Length} schemas in 'anyOf', but matches none{Describe.Branches(failures)}"));
        }

        return false;
    }
}

/// <summary><c>oneOf</c>.</summary>
internal sealed class OneOfKeyword : Keyword
{
    private readonly SchemaNode[] _schemas;

    public OneOfKeyword(string location, SchemaNode[] schemas)
        : base("oneOf", location) => _schemas = schemas;

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        bool tracking = !evaluated.IsEmpty;
        bool collect = state.Collect;
        state.Collect = false;
        int first = -1;
        int second = -1;
        using var scratch = new ScratchBits(stackalloc ulong[8], tracking ? evaluated.Length : 0);
        using var winner = new ScratchBits(stackalloc ulong[8], tracking ? evaluated.Length : 0);
        for (int i = 0; i < _schemas.Length; i++)
        {
            scratch.Clear();
            if (_schemas[i].Evaluate(state, instance, scratch.Bits))
            {
                if (first < 0)
                {
                    first = i;
                    scratch.Bits.CopyTo(winner.Bits);
                }
                else
                {
                    second = i;
                    break;
                }
            }

            if (state.Stopped)
            {
                break;
            }
        }

        state.Collect = collect;
        if (state.Stopped)
        {
            return false;
        }

        if (first >= 0 && second < 0)
        {
            if (tracking)
            {
                Bits.Or(evaluated, winner.Bits);
            }

            return true;
        }

        if (collect)
        {
            if (first < 0)
            {
                var failures = new List<(int, List<SchemaValidationError>?)>();
                for (int i = 0; i < _schemas.Length; i++)
                {
                    failures.Add((i, state.ExplainFailure(_schemas[i], instance)));
                }

                Fail(state, string.Create(CultureInfo.InvariantCulture,
                    $"must match exactly one of the {_schemas.Length} schemas in 'oneOf', but matches none{Describe.Branches(failures)}"));
            }
            else
            {
                Fail(state, string.Create(CultureInfo.InvariantCulture,
                    $"must match exactly one of the {_schemas.Length} schemas in 'oneOf', but matches more than one (schemas {first} and {second})"));
            }
        }

        return false;
    }
}

/// <summary><c>not</c>.</summary>
internal sealed class NotKeyword : Keyword
{
    private readonly SchemaNode _schema;

    public NotKeyword(string location, SchemaNode schema)
        : base("not", location) => _schema = schema;

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        bool collect = state.Collect;
        state.Collect = false;
        bool matched = _schema.Evaluate(state, instance, default);
        state.Collect = collect;
        if (state.Stopped)
        {
            return false;
        }

        return !matched || (collect && Fail(state, "must not match the schema in 'not'"));
    }
}

/// <summary><c>if</c>/<c>then</c>/<c>else</c>.</summary>
internal sealed class ConditionalKeyword : Keyword
{
    private readonly SchemaNode _if;
    private readonly SchemaNode? _then;
    private readonly SchemaNode? _else;

    public ConditionalKeyword(string location, SchemaNode condition, SchemaNode? then, SchemaNode? otherwise)
        : base("if", location)
    {
        _if = condition;
        _then = then;
        _else = otherwise;
    }

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        bool tracking = !evaluated.IsEmpty;
        if (_then is null && _else is null && !tracking)
        {
            // A lone "if" only contributes annotations.
            return true;
        }

        bool collect = state.Collect;
        state.Collect = false;
        using var scratch = new ScratchBits(stackalloc ulong[8], tracking ? evaluated.Length : 0);
        bool condition = _if.Evaluate(state, instance, scratch.Bits);
        state.Collect = collect;
        if (state.Stopped)
        {
            return false;
        }

        if (condition)
        {
            if (tracking)
            {
                Bits.Or(evaluated, scratch.Bits);
            }

            return _then is null || _then.Evaluate(state, instance, evaluated);
        }

        return _else is null || _else.Evaluate(state, instance, evaluated);
    }
}

/// <summary><c>$ref</c> (resolved at compile time).</summary>
internal sealed class RefKeyword : Keyword
{
    public RefKeyword(string location)
        : base("$ref", location)
    {
    }

    public SchemaNode Target { get; set; } = null!;

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
        => Target.Evaluate(state, instance, evaluated);
}

/// <summary>
/// <c>$dynamicRef</c>: resolves like <c>$ref</c>; when that target declares a matching <c>$dynamicAnchor</c>, the outermost
/// resource in the dynamic scope declaring the same anchor wins.
/// </summary>
internal sealed class DynamicRefKeyword : Keyword
{
    public DynamicRefKeyword(string location, string? anchor)
        : base("$dynamicRef", location) => Anchor = anchor;

    /// <summary>The anchor name when the initial target is a matching <c>$dynamicAnchor</c>; null means plain <c>$ref</c> behaviour.</summary>
    public string? Anchor { get; set; }

    public SchemaNode Target { get; set; } = null!;

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        var target = Target;
        if (Anchor is not null)
        {
            target = state.ResolveDynamicAnchor(Anchor) ?? target;
        }

        return target.Evaluate(state, instance, evaluated);
    }
}

/// <summary><c>unevaluatedProperties</c>: applies to members no adjacent or nested keyword evaluated.</summary>
internal sealed class UnevaluatedPropertiesKeyword : Keyword
{
    private readonly SchemaNode _schema;

    public UnevaluatedPropertiesKeyword(string location, SchemaNode schema)
        : base("unevaluatedProperties", location) => _schema = schema;

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (instance.ValueKind != JsonValueKind.Object || evaluated.IsEmpty)
        {
            return true;
        }

        bool valid = true;
        int index = 0;
        foreach (var property in instance.EnumerateObject())
        {
            if (!Bits.Get(evaluated, index))
            {
                state.PushProperty(property);
                bool ok = _schema.IsFalse
                    ? state.Collect && Fail(state, "is not allowed: '" + property.Name + "' is not a property the schema defines")
                    : _schema.Evaluate(state, property.Value, default);
                state.Pop();
                if (!ok)
                {
                    valid = false;
                    if (!state.Collect || state.Stopped)
                    {
                        break;
                    }
                }
            }

            index++;
        }

        if (valid)
        {
            Bits.SetAll(evaluated);
        }

        return valid;
    }
}

/// <summary><c>unevaluatedItems</c>: applies to items no adjacent or nested keyword evaluated.</summary>
internal sealed class UnevaluatedItemsKeyword : Keyword
{
    private readonly SchemaNode _schema;

    public UnevaluatedItemsKeyword(string location, SchemaNode schema)
        : base("unevaluatedItems", location) => _schema = schema;

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (instance.ValueKind != JsonValueKind.Array || evaluated.IsEmpty)
        {
            return true;
        }

        bool valid = true;
        int index = 0;
        foreach (var item in instance.EnumerateArray())
        {
            if (!Bits.Get(evaluated, index))
            {
                state.PushIndex(index);
                bool ok = _schema.IsFalse
                    ? state.Collect && Fail(state, "is not allowed: the schema does not define this item")
                    : _schema.Evaluate(state, item, default);
                state.Pop();
                if (!ok)
                {
                    valid = false;
                    if (!state.Collect || state.Stopped)
                    {
                        break;
                    }
                }
            }

            index++;
        }

        if (valid)
        {
            Bits.SetAll(evaluated);
        }

        return valid;
    }
}
