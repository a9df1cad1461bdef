using System.Text.Json;

namespace McpPolicy.Schemas.Validation;

/// <summary>One JSON document taking part in a compilation: the root schema, a registered schema or a metaschema.</summary>
internal sealed class SchemaDocument
{
    public SchemaDocument(int id, JsonElement root, string retrievalUri, bool isCompilationRoot)
    {
        Id = id;
        Root = root;
        RetrievalUri = retrievalUri;
        IsCompilationRoot = isCompilationRoot;
    }

    public int Id { get; }

    public JsonElement Root { get; }

    public string RetrievalUri { get; }

    public bool IsCompilationRoot { get; }

    /// <summary>How schema locations in this document are shown: "#/…" for the schema being compiled, "uri#/…" otherwise.</summary>
    public string LocationPrefix => IsCompilationRoot ? "#" : RetrievalUri + "#";
}

/// <summary>A schema resource: a schema with its own base URI (the document root or a subschema with <c>$id</c>).</summary>
internal sealed class SchemaResource
{
    public SchemaResource(string uri, SchemaDocument document, string documentPointer, JsonElement root, Vocabulary vocabulary)
    {
        Uri = uri;
        Document = document;
        DocumentPointer = documentPointer;
        Root = root;
        Vocabulary = vocabulary;
    }

    /// <summary>The absolute base URI, without fragment.</summary>
    public string Uri { get; }

    public SchemaDocument Document { get; }

    /// <summary>The JSON Pointer of the resource root within its document.</summary>
    public string DocumentPointer { get; }

    public JsonElement Root { get; }

    public Vocabulary Vocabulary { get; }

    /// <summary>Plain-name fragments (<c>$anchor</c>, <c>$dynamicAnchor</c>, draft-07 <c>$id: "#name"</c>) → document pointer.</summary>
    public Dictionary<string, string> Anchors { get; } = new(StringComparer.Ordinal);

    /// <summary><c>$dynamicAnchor</c> names → document pointer.</summary>
    public Dictionary<string, string> DynamicAnchorPointers { get; } = new(StringComparer.Ordinal);

    /// <summary><c>$dynamicAnchor</c> names → compiled node, filled in once compilation links dynamic references.</summary>
    public Dictionary<string, SchemaNode> DynamicAnchors { get; } = new(StringComparer.Ordinal);
}
