using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// Item applicators: 2020-12 <c>prefixItems</c> + <c>items</c>, or draft-07 <c>items</c> (schema or array) + <c>additionalItems</c>.
/// </summary>
internal sealed class ItemsKeyword : Keyword
{
    private readonly SchemaNode[] _prefix;
    private readonly SchemaNode? _rest;

    /// <param name="name">The keyword for the rest items (<c>items</c> or <c>additionalItems</c>).</param>
    /// <param name="location">Its location.</param>
    /// <param name="prefix">Positional schemas (<c>prefixItems</c> or array-form <c>items</c>).</param>
    /// <param name="rest">The schema for the remaining items, if any.</param>
    public ItemsKeyword(string name, string location, SchemaNode[] prefix, SchemaNode? rest)
        : base(name, location)
    {
        _prefix = prefix;
        _rest = rest;
    }

    /// <summary>The positional schemas.</summary>
    public IReadOnlyList<SchemaNode> Prefix => _prefix;

    /// <summary>The schema for the remaining items, if any.</summary>
    public SchemaNode? Rest => _rest;

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        bool valid = true;
        int index = 0;
        foreach (var item in instance.EnumerateArray())
        {
            var node = index < _prefix.Length ? _prefix[index] : _rest;
            if (node is null)
            {
                break;
            }

            state.PushIndex(index);
            bool ok;
            if (node.IsFalse && ReferenceEquals(node, _rest))
            {
                ok = state.Collect && Fail(state, string.Create(CultureInfo.InvariantCulture,
                    $"is not allowed: the array may have at most {_prefix.Length} item{(_prefix.Length == 1 ? "" : "s")}"));
            }
            else
            {
                ok = node.Evaluate(state, item, default);
            }

            state.Pop();
            if (!ok)
            {
                valid = false;
                if (!state.Collect || state.Stopped)
                {
                    break;
                }
            }
            else if (!evaluated.IsEmpty)
            {
                Bits.Set(evaluated, index);
            }

            index++;
        }

        return valid;
    }
}

/// <summary><c>contains</c> with <c>minContains</c>/<c>maxContains</c>.</summary>
internal sealed class ContainsKeyword : Keyword
{
    private readonly SchemaNode _schema;
    private readonly long _min;
    private readonly long? _max;
    private readonly string _minName;
    private readonly string _minLocation;
    private readonly string? _maxLocation;

    public ContainsKeyword(string location, SchemaNode schema, long min, string minName, string minLocation, long? max, string? maxLocation)
        : base("contains", location)
    {
        _schema = schema;
        _min = min;
        _max = max;
        _minName = minName;
        _minLocation = minLocation;
        _maxLocation = maxLocation;
    }

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        bool tracking = !evaluated.IsEmpty;
        bool collect = state.Collect;
        state.Collect = false;
        long count = 0;
        int index = 0;
        foreach (var item in instance.EnumerateArray())
        {
            state.PushIndex(index);
            bool ok = _schema.Evaluate(state, item, default);
            state.Pop();
            if (state.Stopped)
            {
                break;
            }

            if (ok)
            {
                count++;
                if (tracking)
                {
                    Bits.Set(evaluated, index);
                }
                else if (_max is null && count >= _min)
                {
                    break;
                }
                else if (count > _max)
                {
                    break;
                }
            }

            index++;
        }

        state.Collect = collect;
        if (state.Stopped)
        {
            return false;
        }

        if (count < _min)
        {
            if (collect)
            {
                state.Report(_minName, _minLocation, string.Create(CultureInfo.InvariantCulture,
                    $"must contain at least {_min} item{(_min == 1 ? "" : "s")} matching the 'contains' schema, but has {count}"));
            }

            return false;
        }

        if (count > _max)
        {
            if (collect)
            {
                state.Report("maxContains", _maxLocation!, string.Create(CultureInfo.InvariantCulture,
                    $"must contain at most {_max} item{(_max == 1 ? "" : "s")} matching the 'contains' schema, but has more"));
            }

            return false;
        }

        return true;
    }
}

/// <summary><c>minItems</c> and <c>maxItems</c>.</summary>
internal sealed class ArrayLengthKeyword : Keyword
{
    private readonly long _limit;
    private readonly bool _isMin;

    public ArrayLengthKeyword(string name, string location, long limit)
        : base(name, location)
    {
        _limit = limit;
        _isMin = name == "minItems";
    }

    /// <summary>The limit.</summary>
    public long Limit => _limit;

    /// <summary>Whether this is <c>minItems</c> (else <c>maxItems</c>).</summary>
    public bool IsMin => _isMin;

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        int length = instance.GetArrayLength();
        if (_isMin ? length >= _limit : length <= _limit)
        {
            return true;
        }

        return state.Collect && Fail(state, string.Create(CultureInfo.InvariantCulture,
            $"must have at {(_isMin ? "least" : "most")} {_limit} item{(_limit == 1 ? "" : "s")}, but has {length}"));
    }
}

/// <summary><c>uniqueItems</c>: pairwise for short arrays, by sorted value hashes for long ones (no quadratic blow-up).</summary>
internal sealed class UniqueItemsKeyword : Keyword
{
    private const int PairwiseLimit = 16;

    public UniqueItemsKeyword(string location)
        : base("uniqueItems", location)
    {
    }

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        int length = instance.GetArrayLength();
        if (length < 2)
        {
            return true;
        }

        bool tooDeep = false;
        int first = -1;
        int second = -1;
        if (length <= PairwiseLimit)
        {
            var rented = ArrayPool<JsonElement>.Shared.Rent(length);
            int n = 0;
            foreach (var item in instance.EnumerateArray())
            {
                rented[n++] = item;
            }

            for (int i = 0; i < n && first < 0; i++)
            {
                for (int j = i + 1; j < n; j++)
                {
                    if (JsonValueEquality.Equals(rented[i], rented[j], state.MaxDepth, ref tooDeep))
                    {
                        (first, second) = (i, j);
                        break;
                    }
                }
            }

            Array.Clear(rented, 0, n);
            ArrayPool<JsonElement>.Shared.Return(rented);
        }
        else
        {
            (first, second) = FindDuplicateByHash(state, instance, length, ref tooDeep);
        }

        if (state.Stopped)
        {
            return false;
        }

        if (tooDeep)
        {
            state.ReportLimit(nameof(JsonSchemaOptions.MaxEvaluationDepth), Location, "is nested too deeply to compare its items for uniqueItems");
            return false;
        }

        if (first < 0)
        {
            return true;
        }

        return state.Collect && Fail(state, string.Create(CultureInfo.InvariantCulture,
            $"must have unique items, but items {first} and {second} are equal"));
    }

    private (int First, int Second) FindDuplicateByHash(ValidationState state, JsonElement instance, int length, ref bool tooDeep)
    {
        var elements = ArrayPool<JsonElement>.Shared.Rent(length);
        var hashes = ArrayPool<int>.Shared.Rent(length);
        var order = ArrayPool<int>.Shared.Rent(length);
        int n = 0;
        foreach (var item in instance.EnumerateArray())
        {
            elements[n] = item;
            hashes[n] = JsonValueEquality.Hash(item);
            order[n] = n;
            n++;
        }

        hashes.AsSpan(0, n).Sort(order.AsSpan(0, n));
        (int, int) result = (-1, -1);
        for (int start = 0; start < n && result.Item1 < 0 && !state.Stopped;)
        {
            int end = start + 1;
            while (end < n && hashes[end] == hashes[start])
            {
                end++;
            }

            for (int i = start; i < end && result.Item1 < 0; i++)
            {
                for (int j = i + 1; j < end; j++)
                {
                    // Items that differ only deeper than the hash looks collide; the clock bounds that quadratic case.
                    if (!state.Tick(Location))
                    {
                        result = (-1, -1);
                        i = end;
                        break;
                    }

                    if (JsonValueEquality.Equals(elements[order[i]], elements[order[j]], state.MaxDepth, ref tooDeep))
                    {
                        result = (Math.Min(order[i], order[j]), Math.Max(order[i], order[j]));
                        break;
                    }
                }
            }

            start = end;
        }

        Array.Clear(elements, 0, n);
        ArrayPool<JsonElement>.Shared.Return(elements);
        ArrayPool<int>.Shared.Return(hashes);
        ArrayPool<int>.Shared.Return(order);
        return result;
    }
}
