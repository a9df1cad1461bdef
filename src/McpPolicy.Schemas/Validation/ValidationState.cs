using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// The mutable state of one validation: where in the instance we are, the dynamic scope, limits and collected errors.
/// One instance is cached per thread and reused, so validating a valid instance allocates nothing.
/// </summary>
internal sealed class ValidationState
{
    [ThreadStatic]
    private static ValidationState? t_cached;

    private PathSegment[] _path = new PathSegment[32];
    private int _pathCount;
    private SchemaResource[] _scope = new SchemaResource[16];
    private int _scopeCount;
    private int _steps;
    private long _deadline;
    private long _timeoutTicks;
    private bool _clockStarted;
    private TimeProvider _time = TimeProvider.System;
    private JsonSchemaOptions _options = JsonSchemaOptions.Default;
    private bool _trackScope;

    /// <summary>Whether errors are being collected (false inside applicators whose subschemas may fail, and for IsValid).</summary>
    public bool Collect { get; set; }

    /// <summary>Evaluation must unwind: a limit was hit or enough errors were collected.</summary>
    public bool Stopped { get; private set; }

    /// <summary>A limit (depth, time) cut validation short.</summary>
    public bool LimitExceeded { get; private set; }

    /// <summary>The collected errors, created on the first one.</summary>
    public List<SchemaValidationError>? Errors { get; private set; }

    /// <summary>The deepest nesting allowed, for evaluation and for comparing values.</summary>
    public int MaxDepth { get; private set; }

    private int Depth { get; set; }

    /// <summary>
    /// The byte length of the instance's JSON text when the specialised path asked for it (else <see cref="int.MaxValue"/>):
    /// a <c>maxLength</c> at least this large holds for every string in the instance.
    /// </summary>
    public int InstanceBytes { get; set; } = int.MaxValue;

    private ValidationState() => UseOptions(JsonSchemaOptions.Default);

    public static ValidationState Rent(JsonSchemaOptions options, bool collect, bool trackScope)
    {
        var state = t_cached ?? new ValidationState();
        t_cached = null;
        if (!ReferenceEquals(state._options, options))
        {
            // Options are immutable: the timeout in clock ticks is worked out again only when they change.
            state.UseOptions(options);
        }

        // The clock starts at the first time check (after 64 steps), not here: reading it costs as much as validating a
        // small instance, and a validation shorter than 64 steps never looks at it anyway.
        state._deadline = 0;
        state._clockStarted = false;
        state.MaxDepth = options.MaxEvaluationDepth;
        state.Collect = collect;
        state._trackScope = trackScope;
        state._steps = 0;
        state.Depth = 0;
        state.InstanceBytes = int.MaxValue;
        state._pathCount = 0;
        state._scopeCount = 0;
        state.Stopped = false;
        state.LimitExceeded = false;
        state.Errors = null;
        return state;
    }

    public static void Return(ValidationState state)
    {
        // Pop and Leave clear the slots they release, so only what an exception left behind is still referenced.
        if (state._pathCount > 0)
        {
            Array.Clear(state._path, 0, state._pathCount);
        }

        if (state._scopeCount > 0)
        {
            Array.Clear(state._scope, 0, state._scopeCount);
        }

        state.Errors = null;
        t_cached = state;
    }

    // Every field derived from the options is set here, for a new state too: a state that started out holding
    // JsonSchemaOptions.Default with a zero timeout stopped every long validation under the default options.
    private void UseOptions(JsonSchemaOptions options)
    {
        _options = options;
        _time = options.TimeProvider;
        double ticks = options.ValidationTimeout.TotalSeconds * _time.TimestampFrequency;
        _timeoutTicks = options.ValidationTimeout == Timeout.InfiniteTimeSpan || ticks >= long.MaxValue ? long.MaxValue : (long)ticks;
    }
    /// <summary>
    /// Continues the clock of an earlier pass over the same instance (the boolean pre-pass of <c>Validate</c>), so that the
    /// two passes together stay within one <see cref="JsonSchemaOptions.ValidationTimeout"/>.
    /// </summary>
    public void ContinueClock(bool started, long deadline)
    {
        _clockStarted = started;
        _deadline = deadline;
    }

    /// <summary>The clock of this pass, for <see cref="ContinueClock"/>.</summary>
    public (bool Started, long Deadline) Clock => (_clockStarted, _deadline);

    /// <summary>Enters a schema node; false when evaluation must stop (limit hit or already stopped).</summary>
    public bool Enter(SchemaNode node, out bool pushedScope)
    {
        pushedScope = false;
        if (Stopped)
        {
            return false;
        }

        if (Depth >= MaxDepth)
        {
            ReportLimit(nameof(JsonSchemaOptions.MaxEvaluationDepth), node.Location,
                FormattableString.Invariant($"is nested too deeply: validation stopped after {MaxDepth} nested schema evaluations (MaxEvaluationDepth)"));
            return false;
        }

        // The check guarantees far more stack than four nested evaluations use, so every fourth level is enough.
        if ((Depth & 3) == 0 && !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            ReportLimit(nameof(JsonSchemaOptions.MaxEvaluationDepth), node.Location, "is nested too deeply: validation stopped before exhausting the stack");
            return false;
        }

        if ((++_steps & 63) == 0 && PastDeadline())
        {
            ReportLimit(nameof(JsonSchemaOptions.ValidationTimeout), node.Location,
                FormattableString.Invariant($"took too long to validate: validation stopped after {_options.ValidationTimeout.TotalMilliseconds:0} ms (ValidationTimeout)"));
            return false;
        }

        Depth++;
        if (_trackScope && (_scopeCount == 0 || !ReferenceEquals(_scope[_scopeCount - 1], node.Resource)))
        {
            if (_scopeCount == _scope.Length)
            {
                Array.Resize(ref _scope, _scope.Length * 2);
            }

            _scope[_scopeCount++] = node.Resource;
            pushedScope = true;
        }

        return true;
    }

    /// <summary>Counts one unit of work inside a keyword (such as comparing two items) and checks the time limit now and then.</summary>
    /// <returns>False when evaluation must stop.</returns>
    public bool Tick(string schemaLocation)
    {
        if ((++_steps & 63) == 0 && PastDeadline())
        {
            ReportLimit(nameof(JsonSchemaOptions.ValidationTimeout), schemaLocation,
                FormattableString.Invariant($"took too long to validate: validation stopped after {_options.ValidationTimeout.TotalMilliseconds:0} ms (ValidationTimeout)"));
        }

        return !Stopped;
    }

    /// <summary>
    /// Counts one node of the specialised boolean path (<see cref="FastNode"/>) and checks the time limit every 64 steps,
    /// like <see cref="Enter"/> but without depth or scope bookkeeping (that path's nesting is bounded when it is built).
    /// </summary>
    /// <returns>False when evaluation must stop.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Step(string schemaLocation) => (++_steps & 63) != 0 || StepSlow(schemaLocation);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool StepSlow(string schemaLocation)
    {
        if (!Stopped && PastDeadline())
        {
            ReportLimit(nameof(JsonSchemaOptions.ValidationTimeout), schemaLocation,
                FormattableString.Invariant($"took too long to validate: validation stopped after {_options.ValidationTimeout.TotalMilliseconds:0} ms (ValidationTimeout)"));
        }

        return !Stopped;
    }

    private bool PastDeadline()
    {
        long now = _time.GetTimestamp();
        if (!_clockStarted)
        {
            _clockStarted = true;
            _deadline = _timeoutTicks == long.MaxValue || _timeoutTicks >= long.MaxValue - now ? long.MaxValue : now + _timeoutTicks;
            return false;
        }

        return now > _deadline;
    }

    public void Leave(bool pushedScope)
    {
        Depth--;
        if (pushedScope)
        {
            _scope[--_scopeCount] = null!;
        }
    }

    /// <summary>The outermost resource in the dynamic scope that declares <c>$dynamicAnchor</c> <paramref name="name"/>.</summary>
    public SchemaNode? ResolveDynamicAnchor(string name)
    {
        for (int i = 0; i < _scopeCount; i++)
        {
            if (_scope[i].DynamicAnchors.TryGetValue(name, out var node))
            {
                return node;
            }
        }

        return null;
    }

    public void PushProperty(JsonProperty property)
    {
        EnsurePathCapacity();
        _path[_pathCount++] = new PathSegment(property, -1);
    }

    public void PushIndex(int index)
    {
        EnsurePathCapacity();
        _path[_pathCount++] = new PathSegment(default, index);
    }

    public void Pop() => _path[--_pathCount] = default;

    /// <summary>Records a keyword failure at the current instance location (only when collecting).</summary>
    public void Report(string keyword, string schemaLocation, string message)
    {
        if (!Collect || Stopped)
        {
            return;
        }

        Errors ??= new List<SchemaValidationError>();
        if (Errors.Count >= _options.MaxErrors)
        {
            Stopped = true;
            return;
        }

        string location = InstanceLocation();
        Errors.Add(new SchemaValidationError(location, schemaLocation, keyword, Compose(location, message)));
    }

    /// <summary>Records a limit being hit and stops evaluation; recorded even when not collecting.</summary>
    public void ReportLimit(string limit, string schemaLocation, string message)
    {
        if (LimitExceeded)
        {
            return;
        }

        LimitExceeded = true;
        Stopped = true;
        Errors ??= new List<SchemaValidationError>();
        string location = InstanceLocation();
        Errors.Add(new SchemaValidationError(location, schemaLocation, limit, Compose(location, message)));
    }

    /// <summary>Evaluates <paramref name="node"/> collecting its errors separately, for explaining why an applicator failed.</summary>
    public List<SchemaValidationError>? ExplainFailure(SchemaNode node, JsonElement instance)
    {
        if (Stopped)
        {
            return null;
        }

        var saved = Errors;
        bool savedCollect = Collect;
        Errors = null;
        Collect = true;
        node.Evaluate(this, instance, default);
        var explained = Errors;
        Errors = saved;
        Collect = savedCollect;
        if (Stopped && !LimitExceeded)
        {
            // The branch's own error budget ran out; that must not stop the outer evaluation.
            Stopped = false;
        }

        return explained;
    }

    /// <summary>The JSON Pointer of the current instance location.</summary>
    public string InstanceLocation()
    {
        if (_pathCount == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        for (int i = 0; i < _pathCount; i++)
        {
            builder.Append('/');
            var segment = _path[i];
            if (segment.Index >= 0)
            {
                builder.Append(segment.Index);
            }
            else
            {
                builder.Append(JsonText.EscapePointerToken(segment.Property.Name));
            }
        }

        return builder.ToString();
    }

    private static string Compose(string location, string message)
    {
        // The message quotes a long location by its end (the full pointer stays in InstanceLocation).
        string shown = location.Length <= 120 ? location : string.Concat("…", location.AsSpan(location.Length - 100));
        return (location.Length == 0 ? "Value " : "Value at '" + shown + "' ") + message + ".";
    }

    private void EnsurePathCapacity()
    {
        if (_pathCount == _path.Length)
        {
            Array.Resize(ref _path, _path.Length * 2);
        }
    }

    private readonly record struct PathSegment(JsonProperty Property, int Index);
}
