using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using McpPolicy.Schemas.Validation;

namespace McpPolicy.Schemas;

/// <summary>
/// Compiles JSON Schemas into <see cref="JsonSchemaValidator"/>s, once per distinct schema (cached by the SHA-256 of its
/// canonical JSON), and holds the schemas that <c>$ref</c> may reach. References resolve only to schemas registered here
/// and to the built-in 2020-12 and draft-07 metaschemas: nothing is ever fetched over the network.
/// </summary>
/// <remarks>Thread-safe. Create one per policy host (the options apply to every schema it compiles).</remarks>
public sealed class SchemaRegistry
{
    private readonly ConcurrentDictionary<string, JsonElement> _documents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonSchemaValidator[]> _validators = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonSchemaValidator> _validatorsByUri = new(StringComparer.Ordinal);
    private readonly Lock _compileLock = new();

    /// <summary>Creates a registry with <see cref="JsonSchemaOptions.Default"/>.</summary>
    public SchemaRegistry()
        : this(JsonSchemaOptions.Default)
    {
    }

    /// <summary>Creates a registry.</summary>
    /// <param name="options">Dialect, format and limit settings, checked now.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public SchemaRegistry(JsonSchemaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The options every compilation uses.</summary>
    public JsonSchemaOptions Options { get; }

    /// <summary>
    /// Makes a schema available to <c>$ref</c> (and to <c>$schema</c>, for custom metaschemas) under <paramref name="uri"/>,
    /// and under its root <c>$id</c> when that differs.
    /// </summary>
    /// <param name="uri">An absolute URI without fragment, such as <c>https://example.com/schemas/address.json</c>.</param>
    /// <param name="schema">The schema; it is copied.</param>
    /// <exception cref="ArgumentException">The URI is not absolute, has a fragment, names a built-in metaschema, or is already registered with different content.</exception>
    /// <exception cref="InvalidSchemaException">The schema exceeds <see cref="JsonSchemaOptions.MaxSchemaBytes"/>.</exception>
    public void Register(string uri, JsonElement schema)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        string normalized = uri.EndsWith('#') ? uri[..^1] : uri;
        if (!UriReference.IsAbsolute(normalized) || normalized.Contains('#', StringComparison.Ordinal))
        {
            throw new ArgumentException("A schema URI must be absolute and have no fragment: '" + uri + "'.", nameof(uri));
        }

        if (Metaschemas.TryGet(normalized, out _))
        {
            throw new ArgumentException("'" + uri + "' is a built-in metaschema and cannot be replaced.", nameof(uri));
        }

        CheckSize(schema);
        var copy = schema.Clone();
        Add(normalized, copy, uri);
        if (copy.ValueKind == JsonValueKind.Object && copy.TryGetProperty("$id", out var id) && id.ValueKind == JsonValueKind.String)
        {
            var (resolved, _) = UriReference.SplitFragment(UriReference.Resolve(normalized, id.GetString()!));
            if (resolved != normalized && UriReference.IsAbsolute(resolved) && !Metaschemas.TryGet(resolved, out _))
            {
                // An alias by $id never displaces a schema registered under that URI explicitly.
                _documents.TryAdd(resolved, copy);
            }
        }
    }

    /// <summary>The validator for <paramref name="schema"/>, compiled on first use and cached by content.</summary>
    /// <param name="schema">The schema (a JSON object or boolean); the validator keeps its own copy.</param>
    /// <returns>An immutable, thread-safe validator.</returns>
    /// <exception cref="InvalidSchemaException">The schema is invalid, unsupported, references an unregistered schema, or exceeds a limit.</exception>
    public JsonSchemaValidator GetValidator(JsonElement schema)
    {
        if (schema.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The schema is an undefined JSON element.", nameof(schema));
        }

        CheckSize(schema);
        string hash = ContentHash(schema);
        if (TryGetCached(hash, schema, out var cached))
        {
            return cached;
        }

        lock (_compileLock)
        {
            if (TryGetCached(hash, schema, out cached))
            {
                return cached;
            }

            var copy = schema.Clone();
            var (root, dialect, usesDynamicScope) = new SchemaCompiler(this).Compile(copy, null);
            var validator = new JsonSchemaValidator(root, dialect, hash, copy, Options, usesDynamicScope);
            if (_validators.Count >= Options.MaxCachedValidators)
            {
                _validators.Clear();
            }

            _validators.AddOrUpdate(hash, [validator], (_, existing) => [.. existing, validator]);
            return validator;
        }
    }

    /// <summary>The validator for a registered schema (or a built-in metaschema), by URI.</summary>
    /// <param name="uri">The URI the schema was registered under.</param>
    /// <returns>The validator.</returns>
    /// <exception cref="ArgumentException">Nothing is registered under <paramref name="uri"/>.</exception>
    /// <exception cref="InvalidSchemaException">The schema cannot be compiled.</exception>
    public JsonSchemaValidator GetValidator(string uri)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        string normalized = uri.EndsWith('#') ? uri[..^1] : uri;
        if (!TryGetDocument(normalized, out var schema))
        {
            throw new ArgumentException("No schema is registered under '" + uri + "'.", nameof(uri));
        }

        if (_validatorsByUri.TryGetValue(normalized, out var cached))
        {
            return cached;
        }

        lock (_compileLock)
        {
            var (root, dialect, usesDynamicScope) = new SchemaCompiler(this).Compile(schema, normalized);
            var validator = new JsonSchemaValidator(root, dialect, ContentHash(schema), schema, Options, usesDynamicScope);
            return _validatorsByUri.GetOrAdd(normalized, validator);
        }
    }

    internal bool TryGetDocument(string uri, out JsonElement document)
        => _documents.TryGetValue(uri, out document) || Metaschemas.TryGet(uri, out document);

    /// <summary>SHA-256 (hex) of the RFC 8785 canonical form; of the raw text when the schema is not I-JSON.</summary>
    internal static string ContentHash(JsonElement schema)
    {
        try
        {
            return CanonicalJson.Sha256(schema);
        }
        catch (ArgumentException)
        {
            // Not I-JSON (duplicate names, numbers beyond double, lone surrogates): hash the exact text instead.
            return "raw:" + Convert.ToHexStringLower(SHA256.HashData(JsonMarshal.GetRawUtf8Value(schema)));
        }
    }

    private void Add(string uri, JsonElement schema, string requested)
    {
        var stored = _documents.GetOrAdd(uri, schema);
        bool tooDeep = false;
        if (!JsonValueEquality.Equals(stored, schema, Options.MaxSchemaDepth, ref tooDeep) || tooDeep)
        {
            throw new ArgumentException("A different schema is already registered under '" + uri + "'.", nameof(requested));
        }
    }

    private bool TryGetCached(string hash, JsonElement schema, out JsonSchemaValidator validator)
    {
        if (_validators.TryGetValue(hash, out var candidates))
        {
            foreach (var candidate in candidates)
            {
                // Canonical JSON rounds numbers through double, so equal hashes are confirmed by exact comparison.
                bool tooDeep = false;
                if (JsonValueEquality.Equals(candidate.Schema, schema, Options.MaxSchemaDepth, ref tooDeep) && !tooDeep)
                {
                    validator = candidate;
                    return true;
                }
            }
        }

        validator = null!;
        return false;
    }

    private void CheckSize(JsonElement schema)
    {
        if (schema.ValueKind == JsonValueKind.Undefined)
        {
            return;
        }

        var raw = JsonMarshal.GetRawUtf8Value(schema);
        if (raw.Length > Options.MaxSchemaBytes)
        {
            throw new InvalidSchemaException(FormattableString.Invariant(
                $"The schema is larger than {Options.MaxSchemaBytes} bytes (MaxSchemaBytes)."));
        }

        // Checked on the text, without recursion, before anything walks the schema recursively (hashing, comparing, compiling).
        var reader = new Utf8JsonReader(raw, new JsonReaderOptions { MaxDepth = int.MaxValue });
        while (reader.Read())
        {
            if (reader.CurrentDepth >= Options.MaxSchemaDepth)
            {
                throw new InvalidSchemaException(FormattableString.Invariant(
                    $"The schema is nested more than {Options.MaxSchemaDepth} levels deep (MaxSchemaDepth)."));
            }
        }
    }
}
