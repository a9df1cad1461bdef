using System.Globalization;
using System.Text.Json;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// Compiles a schema document (and every document it references) into a graph of <see cref="SchemaNode"/>s.
/// </summary>
/// <remarks>
/// Stage 1 scans each document, keyword-aware, for schema resources (<c>$id</c>), anchors and dialects, so that an
/// <c>$id</c> inside <c>enum</c> or <c>const</c> is never mistaken for an identifier. Stage 2 compiles nodes from a
/// work queue (not recursion), keyed by document and JSON Pointer, so cycles and shared subschemas compile once.
/// References resolve only against the compiled documents, the registry and the built-in metaschemas: nothing is fetched.
/// </remarks>
internal sealed class SchemaCompiler
{
    /// <summary>The base URI of a schema without <c>$id</c> (hierarchical, so relative references resolve; never fetched).</summary>
    public const string DefaultBaseUri = "urn:mcppolicy:schema";

    private static readonly string[] s_single202012 =
        ["additionalProperties", "propertyNames", "items", "contains", "if", "then", "else", "not", "unevaluatedItems", "unevaluatedProperties", "contentSchema"];

    private static readonly string[] s_array202012 = ["allOf", "anyOf", "oneOf", "prefixItems"];
    private static readonly string[] s_map202012 = ["$defs", "definitions", "properties", "patternProperties", "dependentSchemas", "dependencies"];
    private static readonly string[] s_single7 = ["additionalItems", "additionalProperties", "propertyNames", "contains", "if", "then", "else", "not"];
    private static readonly string[] s_array7 = ["allOf", "anyOf", "oneOf"];
    private static readonly string[] s_map7 = ["definitions", "properties", "patternProperties"];

    private static readonly HashSet<string> s_knownVocabularies = new(StringComparer.Ordinal)
    {
        "core", "applicator", "unevaluated", "validation", "meta-data", "format-annotation", "format-assertion", "content",
    };

    private readonly JsonSchemaOptions _options;
    private readonly SchemaRegistry _registry;
    private readonly List<SchemaDocument> _documents = [];
    private readonly HashSet<string> _loaded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SchemaResource> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<(int Document, string Pointer), (SchemaResource Resource, Vocabulary Vocabulary)> _locations = [];
    private readonly Dictionary<(int Document, string Pointer), SchemaNode> _nodes = [];
    private readonly Queue<(SchemaNode Node, SchemaDocument Document, string Pointer, JsonElement Element, Vocabulary Vocabulary)> _pending = new();
    private readonly HashSet<string> _dynamicAnchorNames = new(StringComparer.Ordinal);

    public SchemaCompiler(SchemaRegistry registry)
    {
        _registry = registry;
        _options = registry.Options;
    }

    /// <summary>Compiles <paramref name="schema"/> (already cloned and size-checked).</summary>
    /// <param name="schema">The schema document.</param>
    /// <param name="retrievalUri">The URI it was registered under, or null for an anonymous schema.</param>
    /// <returns>The root node, its dialect and whether evaluation must track the dynamic scope.</returns>
    public (SchemaNode Root, JsonSchemaDialect Dialect, bool UsesDynamicScope) Compile(JsonElement schema, string? retrievalUri)
    {
        var document = AddDocument(schema, retrievalUri ?? DefaultBaseUri, isCompilationRoot: true);
        var defaultVocabulary = _options.DefaultDialect == JsonSchemaDialect.Draft7 ? Vocabulary.Draft7 : Vocabulary.Draft202012;
        Scan(document, document.Root, string.Empty, null, defaultVocabulary, 0);
        var root = GetNode(document, string.Empty, document.Root);
        Drain();
        LinkDynamicAnchors();
        var rootVocabulary = _locations[(document.Id, string.Empty)].Vocabulary;
        return (root, rootVocabulary.Dialect, _dynamicAnchorNames.Count > 0);
    }

    private SchemaDocument AddDocument(JsonElement root, string retrievalUri, bool isCompilationRoot)
    {
        var document = new SchemaDocument(_documents.Count, root, retrievalUri, isCompilationRoot);
        _documents.Add(document);
        _loaded.Add(retrievalUri);
        return document;
    }

    // ---- Stage 1: resources, anchors, dialects ----

    private void Scan(SchemaDocument document, JsonElement element, string pointer, SchemaResource? current, Vocabulary vocabulary, int depth)
    {
        string location = document.LocationPrefix + pointer;
        if (depth > _options.MaxSchemaDepth)
        {
            throw InvalidSchemaException.At(location, FormattableString.Invariant($"The schema is nested more than {_options.MaxSchemaDepth} levels deep (MaxSchemaDepth)"));
        }

        if (element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            current ??= AddResource(document.RetrievalUri, document, pointer, element, vocabulary);
            _locations.TryAdd((document.Id, pointer), (current, vocabulary));
            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        string? id = element.TryGetProperty("$id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
        bool isDocumentRoot = current is null;
        if ((isDocumentRoot || id is not null) && element.TryGetProperty("$schema", out var schemaElement))
        {
            if (schemaElement.ValueKind != JsonValueKind.String)
            {
                throw InvalidSchemaException.At(location + "/$schema", "$schema must be a string URI");
            }

            vocabulary = ResolveVocabulary(schemaElement.GetString()!, location + "/$schema", 0);
        }

        bool hasRef = element.TryGetProperty("$ref", out _);
        if (vocabulary.IsDraft7 && hasRef)
        {
            // Draft-07 ignores every keyword beside $ref, $id included.
            id = null;
        }

        if (isDocumentRoot || (id is not null && !(vocabulary.IsDraft7 && id.StartsWith('#'))))
        {
            string baseUri = current?.Uri ?? document.RetrievalUri;
            string absolute = id is null ? baseUri : UriReference.Resolve(baseUri, id);
            var (uri, fragment) = UriReference.SplitFragment(absolute);
            var resource = AddResource(uri, document, pointer, element, vocabulary);
            if (isDocumentRoot && uri != document.RetrievalUri)
            {
                _resources.TryAdd(document.RetrievalUri, resource);
            }

            if (!string.IsNullOrEmpty(fragment))
            {
                if (!vocabulary.IsDraft7)
                {
                    throw InvalidSchemaException.At(location + "/$id", "$id must not have a non-empty fragment in JSON Schema 2020-12 (use $anchor)");
                }

                resource.Anchors.TryAdd(UriReference.PercentDecode(fragment), pointer);
            }

            current = resource;
        }
        else if (id is not null)
        {
            current!.Anchors.TryAdd(UriReference.PercentDecode(id[1..]), pointer);
        }

        if (!vocabulary.IsDraft7)
        {
            if (element.TryGetProperty("$anchor", out var anchor) && anchor.ValueKind == JsonValueKind.String)
            {
                current!.Anchors.TryAdd(anchor.GetString()!, pointer);
            }

            if (element.TryGetProperty("$dynamicAnchor", out var dynamicAnchor) && dynamicAnchor.ValueKind == JsonValueKind.String)
            {
                current!.Anchors.TryAdd(dynamicAnchor.GetString()!, pointer);
                current.DynamicAnchorPointers.TryAdd(dynamicAnchor.GetString()!, pointer);
            }
        }

        _locations.TryAdd((document.Id, pointer), (current!, vocabulary));

        bool draft7 = vocabulary.IsDraft7;
        foreach (string keyword in draft7 ? s_single7 : s_single202012)
        {
            if (element.TryGetProperty(keyword, out var child))
            {
                Scan(document, child, pointer + "/" + keyword, current, vocabulary, depth + 1);
            }
        }

        foreach (string keyword in draft7 ? s_array7 : s_array202012)
        {
            if (element.TryGetProperty(keyword, out var array) && array.ValueKind == JsonValueKind.Array)
            {
                ScanArray(document, array, pointer + "/" + keyword, current!, vocabulary, depth);
            }
        }

        foreach (string keyword in draft7 ? s_map7 : s_map202012)
        {
            if (element.TryGetProperty(keyword, out var map) && map.ValueKind == JsonValueKind.Object)
            {
                ScanMap(document, map, pointer + "/" + JsonText.EscapePointerToken(keyword), current!, vocabulary, depth);
            }
        }

        if (draft7)
        {
            if (element.TryGetProperty("items", out var items))
            {
                if (items.ValueKind == JsonValueKind.Array)
                {
                    ScanArray(document, items, pointer + "/items", current!, vocabulary, depth);
                }
                else
                {
                    Scan(document, items, pointer + "/items", current, vocabulary, depth + 1);
                }
            }

            if (element.TryGetProperty("dependencies", out var dependencies) && dependencies.ValueKind == JsonValueKind.Object)
            {
                ScanMap(document, dependencies, pointer + "/dependencies", current!, vocabulary, depth);
            }
        }
    }

    private void ScanArray(SchemaDocument document, JsonElement array, string pointer, SchemaResource current, Vocabulary vocabulary, int depth)
    {
        int index = 0;
        foreach (var item in array.EnumerateArray())
        {
            Scan(document, item, pointer + "/" + index.ToString(CultureInfo.InvariantCulture), current, vocabulary, depth + 2);
            index++;
        }
    }

    private void ScanMap(SchemaDocument document, JsonElement map, string pointer, SchemaResource current, Vocabulary vocabulary, int depth)
    {
        foreach (var property in map.EnumerateObject())
        {
            Scan(document, property.Value, pointer + "/" + JsonText.EscapePointerToken(property.Name), current, vocabulary, depth + 2);
        }
    }

    private SchemaResource AddResource(string uri, SchemaDocument document, string pointer, JsonElement element, Vocabulary vocabulary)
    {
        var resource = new SchemaResource(uri, document, pointer, element, vocabulary);
        _resources.TryAdd(uri, resource);
        return resource;
    }

    private Vocabulary ResolveVocabulary(string schemaUri, string location, int depth)
    {
        var builtIn = Vocabulary.BuiltIn(schemaUri);
        if (builtIn is not null)
        {
            return builtIn;
        }

        string uri = Vocabulary.Normalize(schemaUri);
        if (depth > 8 || !UriReference.IsAbsolute(uri) || !_registry.TryGetDocument(uri, out var metaschema))
        {
            throw InvalidSchemaException.At(location,
                "Unsupported $schema '" + schemaUri + "': supported dialects are JSON Schema 2020-12 ('" + Vocabulary.Draft202012Uri
                + "') and draft-07 ('" + Vocabulary.Draft7Uri + "#'), or a metaschema registered with SchemaRegistry.Register that builds on one of them");
        }

        if (metaschema.ValueKind != JsonValueKind.Object || !metaschema.TryGetProperty("$schema", out var parent) || parent.ValueKind != JsonValueKind.String)
        {
            throw InvalidSchemaException.At(location, "The metaschema '" + schemaUri + "' has no $schema naming its own dialect");
        }

        var baseVocabulary = ResolveVocabulary(parent.GetString()!, uri + "#/$schema", depth + 1);
        if (baseVocabulary.IsDraft7 || !metaschema.TryGetProperty("$vocabulary", out var vocabularies) || vocabularies.ValueKind != JsonValueKind.Object)
        {
            return baseVocabulary;
        }

        var enabled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in vocabularies.EnumerateObject())
        {
            string name = entry.Name.StartsWith(Vocabulary.VocabPrefix, StringComparison.Ordinal) ? entry.Name[Vocabulary.VocabPrefix.Length..] : string.Empty;
            if (s_knownVocabularies.Contains(name))
            {
                enabled.Add(name);
            }
            else if (entry.Value.ValueKind == JsonValueKind.True)
            {
                throw InvalidSchemaException.At(location, "The metaschema '" + schemaUri + "' requires the unknown vocabulary '" + entry.Name + "'");
            }
        }

        return new Vocabulary(
            JsonSchemaDialect.Draft202012,
            enabled.Contains("applicator"),
            enabled.Contains("unevaluated"),
            enabled.Contains("validation"),
            enabled.Contains("format-assertion"));
    }

    // ---- Stage 2: nodes ----

    private SchemaNode GetNode(SchemaDocument document, string pointer, JsonElement element)
    {
        if (_nodes.TryGetValue((document.Id, pointer), out var existing))
        {
            return existing;
        }

        if (_nodes.Count >= _options.MaxSchemaNodes)
        {
            throw InvalidSchemaException.At(document.LocationPrefix + pointer,
                FormattableString.Invariant($"The schema has more than {_options.MaxSchemaNodes} subschemas (MaxSchemaNodes)"));
        }

        var (resource, vocabulary) = LocationInfo(document, pointer);
        var node = new SchemaNode(document.LocationPrefix + pointer, resource);
        _nodes.Add((document.Id, pointer), node);
        _pending.Enqueue((node, document, pointer, element, vocabulary));
        return node;
    }

    private (SchemaResource Resource, Vocabulary Vocabulary) LocationInfo(SchemaDocument document, string pointer)
    {
        // A pointer into a place the scan did not visit (say, inside an unknown keyword) belongs to the nearest scanned ancestor.
        string probe = pointer;
        while (true)
        {
            if (_locations.TryGetValue((document.Id, probe), out var info))
            {
                return info;
            }

            int slash = probe.LastIndexOf('/');
            if (slash < 0)
            {
                throw InvalidSchemaException.At(document.LocationPrefix + pointer, "The location is not inside a schema");
            }

            probe = probe[..slash];
        }
    }

    private void Drain()
    {
        while (_pending.Count > 0)
        {
            var (node, document, pointer, element, vocabulary) = _pending.Dequeue();
            switch (element.ValueKind)
            {
                case JsonValueKind.True:
                    break;
                case JsonValueKind.False:
                    node.IsFalse = true;
                    break;
                case JsonValueKind.Object:
                    CompileObject(node, document, pointer, element, vocabulary);
                    break;
                default:
                    throw InvalidSchemaException.At(node.Location, "A schema must be an object or a boolean, but this is " + Describe.Kind(element));
            }
        }
    }

    private void LinkDynamicAnchors()
    {
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var resource in _resources.Values.Distinct().ToList())
            {
                foreach (var (name, pointer) in resource.DynamicAnchorPointers)
                {
                    if (_dynamicAnchorNames.Contains(name) && !resource.DynamicAnchors.ContainsKey(name))
                    {
                        resource.DynamicAnchors[name] = GetNode(resource.Document, pointer, Navigate(resource.Document, pointer));
                        changed = true;
                    }
                }
            }

            Drain();
        }
    }

    private void CompileObject(SchemaNode node, SchemaDocument document, string pointer, JsonElement schema, Vocabulary vocabulary)
    {
        var context = new NodeContext(this, node, document, pointer, schema, vocabulary);
        var keywords = new List<Keyword>();
        if (vocabulary.IsDraft7 && schema.TryGetProperty("$ref", out var draft7Ref))
        {
            keywords.Add(CompileRef(context, draft7Ref));
            node.Keywords = [.. keywords];
            return;
        }

        if (vocabulary.Validation)
        {
            CompileValidation(context, keywords);
        }

        CompileString(context, keywords, _options.AssertFormat || vocabulary.FormatAssertion);

        if (schema.TryGetProperty("$ref", out var reference))
        {
            keywords.Add(CompileRef(context, reference));
        }

        if (vocabulary.Applicator)
        {
            CompileApplicators(context, keywords);
        }

        if (!vocabulary.IsDraft7 && schema.TryGetProperty("$dynamicRef", out var dynamicRef))
        {
            keywords.Add(CompileDynamicRef(context, dynamicRef));
        }

        if (vocabulary.Unevaluated)
        {
            if (schema.TryGetProperty("unevaluatedProperties", out var unevaluatedProperties))
            {
                keywords.Add(new UnevaluatedPropertiesKeyword(context.Location("unevaluatedProperties"), context.Sub("unevaluatedProperties", unevaluatedProperties)));
                node.TracksEvaluation = true;
            }

            if (schema.TryGetProperty("unevaluatedItems", out var unevaluatedItems))
            {
                keywords.Add(new UnevaluatedItemsKeyword(context.Location("unevaluatedItems"), context.Sub("unevaluatedItems", unevaluatedItems)));
                node.TracksEvaluation = true;
            }
        }

        MergeRequiredIntoProperties(keywords);
        node.Keywords = [.. keywords];
    }

    /// <summary>Checks <c>required</c> during the pass <c>properties</c> makes over the members anyway, instead of one lookup per name.</summary>
    private static void MergeRequiredIntoProperties(List<Keyword> keywords)
    {
        var required = keywords.OfType<RequiredKeyword>().FirstOrDefault(r => r.Name == "required" && r.Names.Length <= 64);
        var properties = keywords.OfType<PropertiesKeyword>().FirstOrDefault();
        if (required is not null && properties is not null && required.Names.Length > 0)
        {
            properties.AttachRequired(required.Names, required.Location);
            keywords.Remove(required);
        }
    }

    private static void CompileValidation(NodeContext context, List<Keyword> keywords)
    {
        var schema = context.Schema;
        if (schema.TryGetProperty("type", out var type))
        {
            keywords.Add(CompileType(context, type));
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            keywords.Add(new EnumKeyword("const", context.Location("const"), [constant]));
        }

        if (schema.TryGetProperty("enum", out var enumeration))
        {
            if (enumeration.ValueKind != JsonValueKind.Array)
            {
                throw context.Error("enum", "enum must be an array");
            }

            keywords.Add(new EnumKeyword("enum", context.Location("enum"), [.. enumeration.EnumerateArray()]));
        }

        var bounds = new List<(string, string, SchemaNumber)>();
        foreach (string name in (string[])["minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"])
        {
            if (schema.TryGetProperty(name, out var bound))
            {
                if (bound.ValueKind != JsonValueKind.Number)
                {
                    throw context.Error(name, name + " must be a number");
                }

                bounds.Add((name, context.Location(name), SchemaNumber.From(bound)));
            }
        }

        SchemaNumber? divisor = null;
        if (schema.TryGetProperty("multipleOf", out var multipleOf))
        {
            if (multipleOf.ValueKind != JsonValueKind.Number || JsonNumber.Of(multipleOf).Negative || JsonNumber.Of(multipleOf).IsZero)
            {
                throw context.Error("multipleOf", "multipleOf must be a number greater than 0");
            }

            divisor = SchemaNumber.From(multipleOf);
        }

        if (bounds.Count > 0 || divisor is not null)
        {
            var number = new NumberKeyword(bounds.Count > 0 ? bounds[0].Item1 : "multipleOf", bounds.Count > 0 ? bounds[0].Item2 : context.Location("multipleOf"),
                bounds, divisor, context.Location("multipleOf"));
            if (keywords.Count > 0 && keywords[0] is TypeKeyword { IntegerOnly: true } typeKeyword)
            {
                // One reading of the number serves the integer check and the bounds.
                typeKeyword.IntegerCheckDeferred = true;
                number.IntegerType = (typeKeyword.Location, typeKeyword.Expected);
            }

            keywords.Add(number);
        }

        foreach (string name in (string[])["minItems", "maxItems"])
        {
            if (schema.TryGetProperty(name, out var limit))
            {
                keywords.Add(new ArrayLengthKeyword(name, context.Location(name), context.NonNegativeInteger(name, limit)));
            }
        }

        if (schema.TryGetProperty("uniqueItems", out var unique))
        {
            if (unique.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw context.Error("uniqueItems", "uniqueItems must be a boolean");
            }

            if (unique.ValueKind == JsonValueKind.True)
            {
                keywords.Add(new UniqueItemsKeyword(context.Location("uniqueItems")));
            }
        }

        foreach (string name in (string[])["minProperties", "maxProperties"])
        {
            if (schema.TryGetProperty(name, out var limit))
            {
                keywords.Add(new PropertyCountKeyword(name, context.Location(name), context.NonNegativeInteger(name, limit)));
            }
        }

        if (schema.TryGetProperty("required", out var required))
        {
            keywords.Add(new RequiredKeyword("required", context.Location("required"), context.StringArray("required", required)));
        }

        if (!context.Vocabulary.IsDraft7 && schema.TryGetProperty("dependentRequired", out var dependentRequired))
        {
            if (dependentRequired.ValueKind != JsonValueKind.Object)
            {
                throw context.Error("dependentRequired", "dependentRequired must be an object");
            }

            keywords.Add(new DependentRequiredKeyword("dependentRequired", context.Location("dependentRequired"),
                dependentRequired.EnumerateObject().Select(p => (p.Name, context.StringArray("dependentRequired", p.Value))).ToList()));
        }
    }

    private static void CompileString(NodeContext context, List<Keyword> keywords, bool assertFormat)
    {
        var schema = context.Schema;
        (long, string)? minLength = null;
        (long, string)? maxLength = null;
        (SchemaRegex, string)? pattern = null;
        (string, FormatCheck, string)? format = null;
        if (context.Vocabulary.Validation)
        {
            if (schema.TryGetProperty("minLength", out var min))
            {
                minLength = (context.NonNegativeInteger("minLength", min), context.Location("minLength"));
            }

            if (schema.TryGetProperty("maxLength", out var max))
            {
                maxLength = (context.NonNegativeInteger("maxLength", max), context.Location("maxLength"));
            }

            if (schema.TryGetProperty("pattern", out var regex))
            {
                pattern = (context.Regex("pattern", regex), context.Location("pattern"));
            }
        }

        if (assertFormat && schema.TryGetProperty("format", out var formatElement) && formatElement.ValueKind == JsonValueKind.String
            && FormatChecks.Find(formatElement.GetString()!) is { } check)
        {
            format = (formatElement.GetString()!, check, context.Location("format"));
        }

        if (minLength is not null || maxLength is not null || pattern is not null || format is not null)
        {
            string name = minLength is not null ? "minLength" : maxLength is not null ? "maxLength" : pattern is not null ? "pattern" : "format";
            keywords.Add(new StringKeyword(name, context.Location(name), minLength, maxLength, pattern, format));
        }
    }

    private static void CompileApplicators(NodeContext context, List<Keyword> keywords)
    {
        var schema = context.Schema;
        bool draft7 = context.Vocabulary.IsDraft7;

        var properties = new List<(string, SchemaNode)>();
        if (schema.TryGetProperty("properties", out var declared))
        {
            foreach (var property in context.Map("properties", declared))
            {
                properties.Add((property.Name, context.Sub("properties/" + JsonText.EscapePointerToken(property.Name), property.Value)));
            }
        }

        var patterns = new List<(SchemaRegex, SchemaNode)>();
        if (schema.TryGetProperty("patternProperties", out var patternProperties))
        {
            foreach (var property in context.Map("patternProperties", patternProperties))
            {
                string path = "patternProperties/" + JsonText.EscapePointerToken(property.Name);
                patterns.Add((context.RegexFromText(path, property.Name), context.Sub(path, property.Value)));
            }
        }

        SchemaNode? additional = schema.TryGetProperty("additionalProperties", out var additionalProperties)
            ? context.Sub("additionalProperties", additionalProperties)
            : null;
        if (properties.Count > 0 || patterns.Count > 0 || additional is not null)
        {
            keywords.Add(new PropertiesKeyword(context.Location(properties.Count > 0 ? "properties" : patterns.Count > 0 ? "patternProperties" : "additionalProperties"),
                properties, patterns, additional, context.Location("additionalProperties")));
        }

        if (draft7)
        {
            if (schema.TryGetProperty("items", out var items))
            {
                if (items.ValueKind == JsonValueKind.Array)
                {
                    var prefix = context.SchemaArray("items", items, allowEmpty: true);
                    SchemaNode? rest = schema.TryGetProperty("additionalItems", out var additionalItems) ? context.Sub("additionalItems", additionalItems) : null;
                    keywords.Add(new ItemsKeyword("additionalItems", context.Location("additionalItems"), prefix, rest));
                }
                else
                {
                    keywords.Add(new ItemsKeyword("items", context.Location("items"), [], context.Sub("items", items)));
                }
            }
        }
        else
        {
            var prefix = schema.TryGetProperty("prefixItems", out var prefixItems) ? context.SchemaArray("prefixItems", prefixItems, allowEmpty: false) : [];
            SchemaNode? rest = null;
            if (schema.TryGetProperty("items", out var items))
            {
                if (items.ValueKind == JsonValueKind.Array)
                {
                    throw context.Error("items", "items must be a schema in JSON Schema 2020-12; use prefixItems for positional schemas");
                }

                rest = context.Sub("items", items);
            }

            if (prefix.Length > 0 || rest is not null)
            {
                keywords.Add(new ItemsKeyword("items", context.Location(rest is null ? "prefixItems" : "items"), prefix, rest));
            }
        }

        if (schema.TryGetProperty("contains", out var contains))
        {
            long min = 1;
            long? max = null;
            string minName = "contains";
            string minLocation = context.Location("contains");
            string? maxLocation = null;
            if (!draft7 && context.Vocabulary.Validation)
            {
                if (schema.TryGetProperty("minContains", out var minContains))
                {
                    min = context.NonNegativeInteger("minContains", minContains);
                    minName = "minContains";
                    minLocation = context.Location("minContains");
                }

                if (schema.TryGetProperty("maxContains", out var maxContains))
                {
                    max = context.NonNegativeInteger("maxContains", maxContains);
                    maxLocation = context.Location("maxContains");
                }
            }

            keywords.Add(new ContainsKeyword(context.Location("contains"), context.Sub("contains", contains), min, minName, minLocation, max, maxLocation));
        }

        if (schema.TryGetProperty("propertyNames", out var propertyNames))
        {
            var names = context.Sub("propertyNames", propertyNames);
            if (propertyNames.ValueKind != JsonValueKind.True && !(propertyNames.ValueKind == JsonValueKind.Object && propertyNames.GetPropertyCount() == 0))
            {
                keywords.Add(new PropertyNamesKeyword(context.Location("propertyNames"), names));
            }
        }

        // "dependencies" is draft-07's; 2020-12 split it into dependentRequired and dependentSchemas but, as its metaschema
        // still describes it, it is honoured there too, for schemas written in the older style without a $schema.
        if (schema.TryGetProperty("dependencies", out var dependencies) && (draft7 || context.Vocabulary.Validation))
        {
            var requiredEntries = new List<(string, string[])>();
            var schemaEntries = new List<(string, SchemaNode)>();
            foreach (var dependency in context.Map("dependencies", dependencies))
            {
                if (dependency.Value.ValueKind == JsonValueKind.Array)
                {
                    requiredEntries.Add((dependency.Name, context.StringArray("dependencies", dependency.Value)));
                }
                else
                {
                    schemaEntries.Add((dependency.Name, context.Sub("dependencies/" + JsonText.EscapePointerToken(dependency.Name), dependency.Value)));
                }
            }

            if (requiredEntries.Count > 0)
            {
                keywords.Add(new DependentRequiredKeyword("dependencies", context.Location("dependencies"), requiredEntries));
            }

            if (schemaEntries.Count > 0)
            {
                keywords.Add(new DependentSchemasKeyword("dependencies", context.Location("dependencies"), schemaEntries));
            }
        }

        if (!draft7 && schema.TryGetProperty("dependentSchemas", out var dependentSchemas))
        {
            keywords.Add(new DependentSchemasKeyword("dependentSchemas", context.Location("dependentSchemas"),
                context.Map("dependentSchemas", dependentSchemas)
                    .Select(p => (p.Name, context.Sub("dependentSchemas/" + JsonText.EscapePointerToken(p.Name), p.Value)))
                    .ToList()));
        }

        if (schema.TryGetProperty("allOf", out var allOf))
        {
            keywords.Add(new AllOfKeyword(context.Location("allOf"), context.SchemaArray("allOf", allOf, allowEmpty: false)));
        }

        if (schema.TryGetProperty("anyOf", out var anyOf))
        {
            keywords.Add(new AnyOfKeyword(context.Location("anyOf"), context.SchemaArray("anyOf", anyOf, allowEmpty: false)));
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            keywords.Add(new OneOfKeyword(context.Location("oneOf"), context.SchemaArray("oneOf", oneOf, allowEmpty: false)));
        }

        if (schema.TryGetProperty("not", out var not))
        {
            keywords.Add(new NotKeyword(context.Location("not"), context.Sub("not", not)));
        }

        if (schema.TryGetProperty("if", out var condition))
        {
            var then = schema.TryGetProperty("then", out var thenElement) ? context.Sub("then", thenElement) : null;
            var otherwise = schema.TryGetProperty("else", out var elseElement) ? context.Sub("else", elseElement) : null;
            keywords.Add(new ConditionalKeyword(context.Location("if"), context.Sub("if", condition), then, otherwise));
        }
    }

    private static TypeKeyword CompileType(NodeContext context, JsonElement type)
    {
        var names = type.ValueKind == JsonValueKind.String ? [type.GetString()!] : context.StringArray("type", type);
        var types = SchemaTypes.None;
        foreach (string name in names)
        {
            types |= name switch
            {
                "null" => SchemaTypes.Null,
                "boolean" => SchemaTypes.Boolean,
                "object" => SchemaTypes.Object,
                "array" => SchemaTypes.Array,
                "number" => SchemaTypes.Number,
                "string" => SchemaTypes.String,
                "integer" => SchemaTypes.Integer,
                _ => throw context.Error("type", "Unknown type '" + name + "' (expected null, boolean, object, array, number, string or integer)"),
            };
        }

        string expected = names.Length == 1
            ? Article(names[0])
            : string.Join(", ", names.Take(names.Length - 1).Select(Article)) + " or " + Article(names[^1]);
        return new TypeKeyword(context.Location("type"), types, expected);

        static string Article(string name) => name switch
        {
            "null" => "null",
            "object" or "array" or "integer" => "an " + name,
            _ => "a " + name,
        };
    }

    private RefKeyword CompileRef(NodeContext context, JsonElement reference)
    {
        if (reference.ValueKind != JsonValueKind.String)
        {
            throw context.Error("$ref", "$ref must be a string");
        }

        var keyword = new RefKeyword(context.Location("$ref"));
        keyword.Target = Resolve(reference.GetString()!, context.Node.Resource, keyword.Location, out _, out _);
        return keyword;
    }

    private DynamicRefKeyword CompileDynamicRef(NodeContext context, JsonElement reference)
    {
        if (reference.ValueKind != JsonValueKind.String)
        {
            throw context.Error("$dynamicRef", "$dynamicRef must be a string");
        }

        var keyword = new DynamicRefKeyword(context.Location("$dynamicRef"), null);
        keyword.Target = Resolve(reference.GetString()!, context.Node.Resource, keyword.Location, out var targetResource, out string? anchor);

        // Dynamic behaviour applies only when the initial target is itself a $dynamicAnchor of that name (the "bookend").
        if (anchor is not null && targetResource.DynamicAnchorPointers.TryGetValue(anchor, out string? anchorPointer)
            && _nodes.TryGetValue((targetResource.Document.Id, anchorPointer), out var anchorNode) && ReferenceEquals(anchorNode, keyword.Target))
        {
            keyword.Anchor = anchor;
            _dynamicAnchorNames.Add(anchor);
        }

        return keyword;
    }

    private SchemaNode Resolve(string reference, SchemaResource from, string location, out SchemaResource targetResource, out string? anchor)
    {
        anchor = null;
        string absolute = UriReference.Resolve(from.Uri, reference);
        var (uri, fragment) = UriReference.SplitFragment(absolute);
        targetResource = FindResource(uri, from.Vocabulary)
            ?? throw InvalidSchemaException.At(location,
                "The reference '" + reference + "' (" + uri + ") is not available: McpPolicy never fetches schemas over the network; register the schema with SchemaRegistry.Register");
        var document = targetResource.Document;
        if (string.IsNullOrEmpty(fragment))
        {
            return GetNode(document, targetResource.DocumentPointer, targetResource.Root);
        }

        fragment = UriReference.PercentDecode(fragment);
        string pointer;
        if (fragment.StartsWith('/'))
        {
            pointer = targetResource.DocumentPointer + fragment;
        }
        else if (!targetResource.Anchors.TryGetValue(fragment, out pointer!))
        {
            throw InvalidSchemaException.At(location, "The reference '" + reference + "' names the anchor '" + fragment + "', which " + uri + " does not define");
        }
        else
        {
            anchor = fragment;
        }

        var element = Navigate(document, pointer, location, reference);
        return GetNode(document, pointer, element);
    }

    private SchemaResource? FindResource(string uri, Vocabulary referrer)
    {
        if (_resources.TryGetValue(uri, out var resource))
        {
            return resource;
        }

        if (_loaded.Contains(uri) || !_registry.TryGetDocument(uri, out var root))
        {
            return null;
        }

        var document = AddDocument(root, uri, isCompilationRoot: false);
        Scan(document, root, string.Empty, null, referrer, 0);
        return _resources.GetValueOrDefault(uri);
    }

    private static JsonElement Navigate(SchemaDocument document, string pointer, string? location = null, string? reference = null)
    {
        var current = document.Root;
        if (pointer.Length == 0)
        {
            return current;
        }

        foreach (string rawToken in pointer[1..].Split('/'))
        {
            string token = rawToken.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(token, out var child))
            {
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                && index < current.GetArrayLength() && (token == "0" || !token.StartsWith('0')))
            {
                current = current[index];
            }
            else
            {
                throw InvalidSchemaException.At(location ?? document.LocationPrefix + pointer,
                    "The reference '" + (reference ?? pointer) + "' points to a location that does not exist (" + document.LocationPrefix + pointer + ")");
            }
        }

        return current;
    }

    /// <summary>Everything compiling one schema object needs, with helpers that read keyword values strictly.</summary>
    private sealed class NodeContext(SchemaCompiler compiler, SchemaNode node, SchemaDocument document, string pointer, JsonElement schema, Vocabulary vocabulary)
    {
        public SchemaNode Node => node;

        public JsonElement Schema => schema;

        public Vocabulary Vocabulary => vocabulary;

        public string Location(string keyword) => node.Location + "/" + JsonText.EscapePointerToken(keyword);

        public InvalidSchemaException Error(string keyword, string message) => InvalidSchemaException.At(Location(keyword), message);

        /// <summary>The node for a subschema at <paramref name="path"/> (already pointer-escaped) below this schema.</summary>
        public SchemaNode Sub(string path, JsonElement element) => compiler.GetNode(document, pointer + "/" + path, element);

        public SchemaNode[] SchemaArray(string keyword, JsonElement array, bool allowEmpty)
        {
            if (array.ValueKind != JsonValueKind.Array || (!allowEmpty && array.GetArrayLength() == 0))
            {
                throw Error(keyword, keyword + " must be a non-empty array of schemas");
            }

            var nodes = new SchemaNode[array.GetArrayLength()];
            int index = 0;
            foreach (var item in array.EnumerateArray())
            {
                nodes[index] = Sub(keyword + "/" + index.ToString(CultureInfo.InvariantCulture), item);
                index++;
            }

            return nodes;
        }

        public JsonElement.ObjectEnumerator Map(string keyword, JsonElement map)
            => map.ValueKind == JsonValueKind.Object ? map.EnumerateObject() : throw Error(keyword, keyword + " must be an object");

        public long NonNegativeInteger(string keyword, JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Number)
            {
                throw Error(keyword, keyword + " must be a non-negative integer");
            }

            var number = JsonNumber.Of(value);
            if (!number.IsInteger || number.Negative)
            {
                throw Error(keyword, keyword + " must be a non-negative integer");
            }

            return number.ToSaturatedInt64();
        }

        public string[] StringArray(string keyword, JsonElement array)
        {
            if (array.ValueKind != JsonValueKind.Array)
            {
                throw Error(keyword, keyword + " must be an array of strings");
            }

            var strings = new string[array.GetArrayLength()];
            int index = 0;
            foreach (var item in array.EnumerateArray())
            {
                strings[index++] = item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Error(keyword, keyword + " must be an array of strings");
            }

            return strings;
        }

        public SchemaRegex Regex(string keyword, JsonElement pattern)
            => pattern.ValueKind == JsonValueKind.String ? RegexFromText(keyword, pattern.GetString()!) : throw Error(keyword, keyword + " must be a string");

        public SchemaRegex RegexFromText(string path, string pattern)
        {
            try
            {
                // Regex timeouts are capped near 24 days; a validation timeout of a day or more means "no limit" here.
                var limit = compiler._options.ValidationTimeout;
                var timeout = limit == Timeout.InfiniteTimeSpan || limit >= TimeSpan.FromDays(1) ? System.Text.RegularExpressions.Regex.InfiniteMatchTimeout : limit;
                return SchemaRegex.Create(pattern, timeout);
            }
            catch (FormatException ex)
            {
                throw InvalidSchemaException.At(node.Location + "/" + path, "The pattern '" + pattern + "' is not a supported ECMAScript regular expression: " + ex.Message, ex);
            }
        }
    }
}
