using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// <c>properties</c>, <c>patternProperties</c> and <c>additionalProperties</c> in one pass over the object's members
/// (each member name is decoded at most once, onto the stack when short).
/// </summary>
internal sealed class PropertiesKeyword : Keyword
{
    private const int ScanLimit = 8;

    private readonly string[] _names;
    private readonly byte[][] _utf8Names;
    private readonly SchemaNode[] _nodes;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly bool _useLookup;
    private readonly (SchemaRegex Regex, SchemaNode Node)[] _patterns;
    private readonly SchemaNode? _additional;
    private readonly string _additionalLocation;
    private readonly string _knownNames;
    private string[] _required = [];
    private string? _requiredLocation;
    private int[] _declaredRequiredSlot = [];
    private (int Slot, byte[] Utf8, string Name)[] _undeclaredRequired = [];
    private ulong _allRequired;

    public PropertiesKeyword(
        string location,
        IReadOnlyList<(string Name, SchemaNode Node)> properties,
        IReadOnlyList<(SchemaRegex Regex, SchemaNode Node)> patterns,
        SchemaNode? additional,
        string additionalLocation)
        : base(additional is not null && properties.Count == 0 && patterns.Count == 0 ? "additionalProperties" : "properties", location)
    {
        _names = properties.Select(p => p.Name).ToArray();
        _utf8Names = _names.Select(Encoding.UTF8.GetBytes).ToArray();
        _nodes = properties.Select(p => p.Node).ToArray();
        var dictionary = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _names.Length; i++)
        {
            dictionary.TryAdd(_names[i], i);
        }

        _lookup = dictionary.GetAlternateLookup<ReadOnlySpan<char>>();
        _useLookup = _names.Length > ScanLimit;
        _patterns = patterns.ToArray();
        _additional = additional;
        _additionalLocation = additionalLocation;
        _knownNames = _names.Length == 0 ? string.Empty : Describe.List(_names.Select(n => "'" + n + "'").ToList(), 20);
    }

    /// <summary>The declared property names and their schemas, in schema order.</summary>
    public IEnumerable<(byte[] Utf8Name, SchemaNode Node)> Declared => _utf8Names.Zip(_nodes);

    /// <summary>Whether <c>patternProperties</c> is part of this keyword.</summary>
    public bool HasPatterns => _patterns.Length > 0;

    /// <summary>The <c>additionalProperties</c> schema, if any.</summary>
    public SchemaNode? Additional => _additional;

    /// <summary>The attached <c>required</c> names (distinct).</summary>
    public IReadOnlyList<string> RequiredNames => _required;

    /// <summary>Takes over <c>required</c> (at most 64 names): presence is noted during the member pass.</summary>
    public void AttachRequired(string[] names, string location)
    {
        _required = names.Distinct(StringComparer.Ordinal).ToArray();
        _requiredLocation = location;
        _declaredRequiredSlot = Enumerable.Repeat(-1, _names.Length).ToArray();
        var undeclared = new List<(int, byte[], string)>();
        for (int slot = 0; slot < _required.Length; slot++)
        {
            int declared = Array.IndexOf(_names, _required[slot]);
            if (declared >= 0)
            {
                _declaredRequiredSlot[declared] = slot;
            }
            else
            {
                undeclared.Add((slot, Encoding.UTF8.GetBytes(_required[slot]), _required[slot]));
            }
        }

        _undeclaredRequired = [.. undeclared];
        _allRequired = _required.Length == 64 ? ulong.MaxValue : (1UL << _required.Length) - 1;
    }

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        bool valid = true;
        int index = 0;
        ulong found = 0;

        // Names are decoded only for lookups and patterns (or when escaped: those rent), so skip zeroing a stack buffer otherwise.
        Span<char> stack = _useLookup || _patterns.Length > 0 ? stackalloc char[JsonText.StackLimit] : default;
        foreach (var property in instance.EnumerateObject())
        {
            var raw = JsonText.RawName(property);
            bool escaped = raw.Contains((byte)'\\');
            bool needChars = escaped || _useLookup || _patterns.Length > 0;
            char[]? rented = null;
            scoped ReadOnlySpan<char> name = default;
            if (needChars)
            {
                var buffer = raw.Length <= stack.Length ? stack : (rented = ArrayPool<char>.Shared.Rent(raw.Length));
                name = buffer[..JsonText.Decode(raw, buffer)];
            }

            int declaredIndex = -1;
            if (_useLookup || escaped)
            {
                if (!_lookup.TryGetValue(name, out declaredIndex))
                {
                    declaredIndex = -1;
                }
            }
            else
            {
                for (int i = 0; i < _utf8Names.Length; i++)
                {
                    if (raw.SequenceEqual(_utf8Names[i]))
                    {
                        declaredIndex = i;
                        break;
                    }
                }
            }

            SchemaNode? declared = declaredIndex >= 0 ? _nodes[declaredIndex] : null;
            if (_required.Length > 0)
            {
                found |= RequiredBit(declaredIndex, raw, escaped, name);
            }

            bool applied = false;
            bool ok = true;
            state.PushProperty(property);
            if (declared is not null)
            {
                applied = true;
                ok = declared.Evaluate(state, property.Value, default);
            }

            for (int i = 0; i < _patterns.Length && (ok || state.Collect) && !state.Stopped; i++)
            {
                var (regex, node) = _patterns[i];
                var outcome = regex.Match(name);
                if (outcome == RegexOutcome.Timeout)
                {
                    state.ReportLimit(nameof(JsonSchemaOptions.ValidationTimeout), Location, "took too long to match the property name against " + regex.Source);
                    ok = false;
                }
                else if (outcome == RegexOutcome.Match)
                {
                    applied = true;
                    ok &= node.Evaluate(state, property.Value, default);
                }
            }

            if (!applied && _additional is not null)
            {
                applied = true;
                if (_additional.IsFalse)
                {
                    ok = false;
                    if (state.Collect)
                    {
                        state.Report("additionalProperties", _additionalLocation, _knownNames.Length == 0
                            ? "is not allowed: the object may not have additional properties"
                            : "is not allowed: '" + property.Name + "' is not a known property (known properties: " + _knownNames + ")");
                    }
                }
                else
                {
                    ok = _additional.Evaluate(state, property.Value, default);
                }
            }

            state.Pop();
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }

            if (!ok)
            {
                valid = false;
                if (!state.Collect || state.Stopped)
                {
                    break;
                }
            }
            else if (applied && !evaluated.IsEmpty)
            {
                Bits.Set(evaluated, index);
            }

            index++;
        }

        if (found != _allRequired && (valid || state.Collect) && !state.Stopped)
        {
            valid = false;
            if (state.Collect)
            {
                for (int slot = 0; slot < _required.Length; slot++)
                {
                    if ((found & (1UL << slot)) == 0)
                    {
                        state.Report("required", _requiredLocation!, "must have the required property '" + _required[slot] + "'");
                    }
                }
            }
        }

        return valid;
    }

    private ulong RequiredBit(int declaredIndex, ReadOnlySpan<byte> raw, bool escaped, ReadOnlySpan<char> name)
    {
        if (declaredIndex >= 0)
        {
            int slot = _declaredRequiredSlot[declaredIndex];
            return slot >= 0 ? 1UL << slot : 0;
        }

        foreach (var (slot, utf8, text) in _undeclaredRequired)
        {
            if (escaped ? name.SequenceEqual(text) : raw.SequenceEqual(utf8))
            {
                return 1UL << slot;
            }
        }

        return 0;
    }
}

/// <summary>
/// <c>required</c>. A few names are each looked up in the object; more than <see cref="ScanLimit"/> are found in one pass
/// over the members (each name decoded, escapes too, and looked up in a table of the required names), so the check stays
/// linear in the object's size.
/// </summary>
internal sealed class RequiredKeyword : Keyword
{
    private const int ScanLimit = 8;
    private const int StackWords = 32;

    private readonly string[] _names;
    private readonly byte[][] _utf8Names;
    private readonly string? _trigger;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _slots;
    private readonly int[] _slotOf = [];
    private readonly int _distinct;

    /// <summary>The required names.</summary>
    public string[] Names { get; }

    /// <summary>Whether this is <c>required</c> itself rather than part of <c>dependentRequired</c>.</summary>
    public bool IsPlain => _trigger is null;

    public RequiredKeyword(string name, string location, string[] names, string? trigger = null)
        : base(name, location)
    {
        _names = names;
        Names = names;
        _utf8Names = names.Select(Encoding.UTF8.GetBytes).ToArray();
        _trigger = trigger;
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        if (names.Length > ScanLimit)
        {
            // A slot per distinct name (a repeated name shares its slot, and is reported as often as it is listed).
            _slotOf = new int[names.Length];
            for (int i = 0; i < names.Length; i++)
            {
                if (!slots.TryGetValue(names[i], out int slot))
                {
                    slot = slots.Count;
                    slots.Add(names[i], slot);
                }

                _slotOf[i] = slot;
            }

            _distinct = slots.Count;
        }

        _slots = slots.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        if (_slotOf.Length > 0)
        {
            return EvaluateInOnePass(state, instance);
        }

        bool valid = true;
        for (int i = 0; i < _utf8Names.Length; i++)
        {
            if (instance.TryGetProperty(_utf8Names[i], out _))
            {
                continue;
            }

            valid = false;
            if (!state.Collect)
            {
                break;
            }

            Report(state, i);
        }

        return valid;
    }

    /// <summary>Marks each required name a member has in a bitmap (on the stack unless very large), then reports the rest in order.</summary>
    private bool EvaluateInOnePass(ValidationState state, JsonElement instance)
    {
        int words = (_distinct + 63) >> 6;
        ulong[]? rentedBits = null;
        Span<ulong> seen = words <= StackWords ? stackalloc ulong[StackWords] : (rentedBits = ArrayPool<ulong>.Shared.Rent(words));
        seen = seen[..words];
        seen.Clear();
        Span<char> stack = stackalloc char[JsonText.StackLimit];
        int count = 0;
        foreach (var property in instance.EnumerateObject())
        {
            var raw = JsonText.RawName(property);
            char[]? rented = null;
            var buffer = raw.Length <= stack.Length ? stack : (rented = ArrayPool<char>.Shared.Rent(raw.Length));
            if (_slots.TryGetValue(buffer[..JsonText.Decode(raw, buffer)], out int slot))
            {
                ref ulong word = ref seen[slot >> 6];
                ulong bit = 1UL << slot;
                if ((word & bit) == 0)
                {
                    word |= bit;
                    count++;
                }
            }

            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }

        bool valid = count == _distinct;
        if (!valid && state.Collect)
        {
            for (int i = 0; i < _names.Length; i++)
            {
                int slot = _slotOf[i];
                if ((seen[slot >> 6] & (1UL << slot)) == 0)
                {
                    Report(state, i);
                }
            }
        }

        if (rentedBits is not null)
        {
            ArrayPool<ulong>.Shared.Return(rentedBits);
        }

        return valid;
    }

    private void Report(ValidationState state, int index)
        => Fail(state, _trigger is null
            ? "must have the required property '" + _names[index] + "'"
            : "must have the property '" + _names[index] + "' because it has '" + _trigger + "'");
}

/// <summary><c>dependentRequired</c> (and the array form of draft-07 <c>dependencies</c>).</summary>
internal sealed class DependentRequiredKeyword : Keyword
{
    private readonly (byte[] Trigger, RequiredKeyword Required)[] _entries;

    public DependentRequiredKeyword(string name, string location, IEnumerable<(string Trigger, string[] Required)> entries)
        : base(name, location)
        => _entries = entries
            .Select(e => (Encoding.UTF8.GetBytes(e.Trigger), new RequiredKeyword(name, location + "/" + JsonText.EscapePointerToken(e.Trigger), e.Required, e.Trigger)))
            .ToArray();

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        bool valid = true;
        foreach (var (trigger, required) in _entries)
        {
            if (instance.TryGetProperty(trigger, out _) && !required.Evaluate(state, instance, evaluated))
            {
                valid = false;
                if (!state.Collect)
                {
                    break;
                }
            }
        }

        return valid;
    }
}

/// <summary><c>dependentSchemas</c> (and the schema form of draft-07 <c>dependencies</c>).</summary>
internal sealed class DependentSchemasKeyword : Keyword
{
    private readonly (byte[] Trigger, SchemaNode Node)[] _entries;

    public DependentSchemasKeyword(string name, string location, IEnumerable<(string Trigger, SchemaNode Node)> entries)
        : base(name, location)
        => _entries = entries.Select(e => (Encoding.UTF8.GetBytes(e.Trigger), e.Node)).ToArray();

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        bool valid = true;
        foreach (var (trigger, node) in _entries)
        {
            if (instance.TryGetProperty(trigger, out _) && !node.Evaluate(state, instance, evaluated))
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

/// <summary>
/// <c>propertyNames</c>: each member name, as a string instance, must match the subschema. When the subschema has only
/// string keywords (<c>type</c>, <c>enum</c>/<c>const</c>, lengths, <c>pattern</c>, <c>format</c>), names are checked as
/// decoded text without allocating; otherwise each name is materialized as a small JSON string.
/// </summary>
internal sealed class PropertyNamesKeyword : Keyword
{
    private readonly SchemaNode _schema;
    private int _mode;

    public PropertyNamesKeyword(string location, SchemaNode schema)
        : base("propertyNames", location) => _schema = schema;

    /// <summary>The schema member names must match.</summary>
    public SchemaNode Schema => _schema;

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        if (_mode == 0)
        {
            // Decided on first use: the subschema's keywords are compiled after this keyword.
            _mode = _schema.IsFalse || _schema.Keywords.All(k => k.SupportsStringInstance) ? 1 : 2;
        }

        bool valid = true;
        Span<char> stack = stackalloc char[JsonText.StackLimit];
        foreach (var property in instance.EnumerateObject())
        {
            bool collect = state.Collect;
            state.Collect = false;
            bool ok = _mode == 1 ? EvaluateText(state, property, stack) : EvaluateMaterialized(state, property);
            state.Collect = collect;
            if (state.Stopped)
            {
                return false;
            }

            if (!ok)
            {
                valid = false;
                if (!state.Collect)
                {
                    break;
                }

                Fail(state, "has a property name that does not match the 'propertyNames' schema: '" + Describe.Truncate(property.Name) + "'");
            }
        }

        return valid;
    }

    private bool EvaluateText(ValidationState state, JsonProperty property, Span<char> stack)
    {
        if (_schema.IsFalse)
        {
            return false;
        }

        var raw = JsonText.RawName(property);
        char[]? rented = null;
        var buffer = raw.Length <= stack.Length ? stack : (rented = ArrayPool<char>.Shared.Rent(raw.Length));
        var name = buffer[..JsonText.Decode(raw, buffer)];
        bool ok = true;
        foreach (var keyword in _schema.Keywords)
        {
            if (!keyword.EvaluateString(state, name))
            {
                ok = false;
                break;
            }
        }

        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        return ok;
    }

    private bool EvaluateMaterialized(ValidationState state, JsonProperty property)
    {
        // The name's raw UTF-8 is already valid JSON string content.
        var raw = JsonText.RawName(property);
        var quoted = new byte[raw.Length + 2];
        quoted[0] = (byte)'"';
        raw.CopyTo(quoted.AsSpan(1));
        quoted[^1] = (byte)'"';
        return _schema.Evaluate(state, JsonElement.Parse(quoted), default);
    }
}

/// <summary><c>minProperties</c> and <c>maxProperties</c>.</summary>
internal sealed class PropertyCountKeyword : Keyword
{
    private readonly long _limit;
    private readonly bool _isMin;

    public PropertyCountKeyword(string name, string location, long limit)
        : base(name, location)
    {
        _limit = limit;
        _isMin = name == "minProperties";
    }

    /// <summary>The limit.</summary>
    public long Limit => _limit;

    /// <summary>Whether this is <c>minProperties</c> (else <c>maxProperties</c>).</summary>
    public bool IsMin => _isMin;

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        int count = instance.GetPropertyCount();
        if (_isMin ? count >= _limit : count <= _limit)
        {
            return true;
        }

        return state.Collect && Fail(state, string.Create(CultureInfo.InvariantCulture,
            $"must have at {(_isMin ? "least" : "most")} {_limit} propert{(_limit == 1 ? "y" : "ies")}, but has {count}"));
    }
}
