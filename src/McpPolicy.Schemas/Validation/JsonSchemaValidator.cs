using System.Runtime.InteropServices;
using System.Text.Json;
using McpPolicy.Json;
using McpPolicy.Schemas.Validation;

namespace McpPolicy.Schemas;

/// <summary>
/// A compiled JSON Schema (2020-12 or draft-07): immutable, thread-safe, and allocation-free when validating a valid
/// instance. Obtain one from <see cref="SchemaRegistry.GetValidator(JsonElement)"/> (or <see cref="Create"/> for a
/// self-contained schema) and reuse it.
/// </summary>
/// <remarks>
/// <para>
/// Every keyword of both dialects is implemented, including <c>$dynamicRef</c>, <c>unevaluatedProperties</c>/<c>unevaluatedItems</c>
/// and draft-07's <c>dependencies</c> and array-form <c>items</c>; the required tests of the official JSON Schema Test Suite
/// all pass. Numbers are compared exactly (1.0 is an integer; big numbers and decimal <c>multipleOf</c> are exact), string
/// lengths count code points, and <c>enum</c>, <c>const</c> and <c>uniqueItems</c> compare JSON values (1 equals 1.0, true
/// never equals 1). <c>format</c> is an annotation unless <see cref="JsonSchemaOptions.AssertFormat"/> is set.
/// </para>
/// <para>
/// <c>pattern</c> and <c>patternProperties</c> use ECMAScript regular expressions (unicode mode), translated to .NET and run
/// on the linear-time NonBacktracking engine, so no input causes catastrophic backtracking; only patterns with lookaround or
/// backreferences run on the backtracking engine, bounded by <see cref="JsonSchemaOptions.ValidationTimeout"/>. Differences
/// from ECMAScript: <c>\b</c> uses Unicode word characters; Unicode properties are limited to General_Category values,
/// <c>Any</c>, <c>ASCII</c> and <c>ASCII_Hex_Digit</c>; lone surrogates never match <c>.</c> or a class; identity escapes of
/// ASCII punctuation are accepted; unknown escapes such as <c>\Z</c> and non-ECMAScript groups such as <c>(?i)</c> are errors.
/// </para>
/// <para>
/// <see cref="IsValid"/> runs a specialised form of the compiled schema (the common keywords of each subschema fused into
/// one check on the instance's raw UTF-8) that hands anything it cannot decide exactly to the same keyword code;
/// <see cref="Validate"/> runs it first and, only when the instance is invalid, evaluates again collecting every error.
/// That path reads the instance's <see cref="JsonDocument"/> parse table directly when a one-time self-check at startup
/// shows it matches what the public API reports, and the public <see cref="JsonElement"/> API otherwise.
/// </para>
/// <para>
/// Validation never recurses without bound: instances nested deeper than <see cref="JsonSchemaOptions.MaxEvaluationDepth"/>
/// and validations longer than <see cref="JsonSchemaOptions.ValidationTimeout"/> fail with an error naming the limit
/// (<see cref="SchemaValidationResult.LimitExceeded"/>).
/// </para>
/// </remarks>
public sealed class JsonSchemaValidator
{
    private static readonly SchemaRegistry s_shared = new();

    private readonly SchemaNode _root;
    private readonly JsonSchemaOptions _options;
    private readonly bool _usesDynamicScope;
    private readonly FastNode? _fast;
    private readonly bool _fastUsesInstanceBytes;

    internal JsonSchemaValidator(SchemaNode root, JsonSchemaDialect dialect, string contentHash, JsonElement schema, JsonSchemaOptions options, bool usesDynamicScope)
    {
        _root = root;
        Dialect = dialect;
        ContentHash = contentHash;
        Schema = schema;
        _options = options;
        _usesDynamicScope = usesDynamicScope;

        // The specialised boolean path (see FastNode) reads no dynamic scope, so schemas that use one keep the interpreter.
        var fast = usesDynamicScope ? null : FastNode.Build(root);
        _fast = fast is { IsSpecialised: true } ? fast : null;
        _fastUsesInstanceBytes = _fast?.UsesInstanceBytes() == true;
    }

    /// <summary>The dialect of the schema's root (from <c>$schema</c>, else <see cref="JsonSchemaOptions.DefaultDialect"/>).</summary>
    public JsonSchemaDialect Dialect { get; }

    /// <summary>The SHA-256 (lower-case hex) of the schema's canonical JSON (RFC 8785), the key it is cached under.</summary>
    public string ContentHash { get; }

    internal JsonElement Schema { get; }

    /// <summary>
    /// Compiles a self-contained schema with default options, through a shared cache. Use a <see cref="SchemaRegistry"/>
    /// to reference other schemas or to change options.
    /// </summary>
    /// <param name="schema">The schema.</param>
    /// <returns>The validator.</returns>
    /// <exception cref="InvalidSchemaException">The schema is invalid, unsupported, or references a schema that is not built in.</exception>
    public static JsonSchemaValidator Create(JsonElement schema) => s_shared.GetValidator(schema);

    /// <summary>Whether <paramref name="instance"/> is valid, stopping at the first failure; allocates nothing.</summary>
    /// <param name="instance">The value to validate.</param>
    /// <returns>True when valid; false when invalid or when a limit stopped validation.</returns>
    public bool IsValid(JsonElement instance) => IsValidCore(instance, useRows: true);

    /// <summary>
    /// <see cref="IsValid(JsonElement)"/>, with the specialised path reading the document's parse table (when
    /// <see cref="JsonRows.IsAvailable"/>) or, with <paramref name="useRows"/> false, the public element API only.
    /// </summary>
    internal bool IsValidCore(JsonElement instance, bool useRows)
    {
        if (_fast is null)
        {
            CheckInstance(instance); // The specialised path checks it when it does not read rows (a row is never undefined).
        }

        var state = ValidationState.Rent(_options, collect: false, _usesDynamicScope);
        try
        {
            if (_fast is { } fast)
            {
                return IsValidFast(fast, instance, state, useRows) && !state.LimitExceeded;
            }

            return _root.Evaluate(state, instance, default) && !state.LimitExceeded;
        }
        finally
        {
            ValidationState.Return(state);
        }
    }

    /// <summary>Validates <paramref name="instance"/> and explains every failure (up to <see cref="JsonSchemaOptions.MaxErrors"/>).</summary>
    /// <param name="instance">The value to validate.</param>
    /// <returns>The result; a shared, allocation-free result when valid.</returns>
    public SchemaValidationResult Validate(JsonElement instance)
    {
        CheckInstance(instance);
        (bool Started, long Deadline) clock = default;
        if (_fast is { } fast)
        {
            // Most instances are valid: the specialised boolean path answers those. An invalid one (or one that hit a limit)
            // is evaluated again by the interpreter, which explains every failure with its location; the clock carries on.
            var quick = ValidationState.Rent(_options, collect: false, trackScope: false);
            try
            {
                if (IsValidFast(fast, instance, quick, useRows: true) && !quick.LimitExceeded)
                {
                    return SchemaValidationResult.Valid;
                }

                clock = quick.Clock;
            }
            finally
            {
                ValidationState.Return(quick);
            }
        }

        var state = ValidationState.Rent(_options, collect: true, _usesDynamicScope);
        state.ContinueClock(clock.Started, clock.Deadline);
        try
        {
            bool valid = _root.Evaluate(state, instance, default);
            if (valid && !state.LimitExceeded)
            {
                return SchemaValidationResult.Valid;
            }

            var errors = state.Errors is { Count: > 0 } list
                ? list.ToArray()
                : [new SchemaValidationError(string.Empty, _root.Location, "false", "Value does not match the schema.")];
            return SchemaValidationResult.Invalid(errors, state.LimitExceeded);
        }
        finally
        {
            ValidationState.Return(state);
        }
    }

    /// <summary>The specialised boolean path: on the parse table when it can be read, else on the public element API.</summary>
    private bool IsValidFast(FastNode fast, JsonElement instance, ValidationState state, bool useRows)
    {
        if (useRows && JsonRows.TryOpen(instance, out var rows, out int index))
        {
            // Each string's length is in its row, so InstanceBytes (which saves reading strings on the element path) is not needed.
            bool valid = fast.IsValid(rows, index, state);
            if (rows.IsCurrent())
            {
                return valid;
            }

            // The document was disposed during validation (a caller's race): its table may already hold another document's
            // rows, so the verdict does not stand. The element path reports the disposal.
        }

        CheckInstance(instance);
        if (_fastUsesInstanceBytes)
        {
            state.InstanceBytes = JsonMarshal.GetRawUtf8Value(instance).Length;
        }

        return fast.IsValid(instance, state);
    }

    private static void CheckInstance(JsonElement instance)
    {
        if (instance.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The instance is an undefined JSON element.", nameof(instance));
        }
    }
}
