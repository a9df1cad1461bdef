using System.Text.Json;

namespace McpPolicy.Schemas;

/// <summary>
/// The semantic diff of two tool definitions, for a reviewer deciding whether to approve a change: the description as a word diff,
/// the input and output schemas parameter by parameter (added, removed, required, type widened, enum grown, pattern, length limit or
/// format removed, new free-text or URL-like parameter), and each annotation hint. Every item has a severity; the list is ordered
/// by location. Identical definitions give an empty list.
/// </summary>
public static class DefinitionDiff
{
    private const int MaxDepth = 32;

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private static readonly string[] UrlWords = ["url", "uri", "href", "link", "callback", "webhook", "endpoint", "redirect", "hook"];

    private static readonly string[] UpperBounds = ["maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum"];

    private static readonly string[] LowerBounds = ["minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum"];

    /// <summary>Handled one by one; any other schema keyword that changes is reported as <c>schema:keyword-changed</c>.</summary>
    private static readonly HashSet<string> SchemaKeywords = new(StringComparer.Ordinal)
    {
        "type", "enum", "pattern", "format", "description", "properties", "required", "items", "additionalProperties", "title",
        "maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum", "minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum",
    };

    /// <summary>Compares an approved definition with a live one.</summary>
    /// <param name="pinned">The approved definition (a <c>Tool</c> as JSON); null when there was none (a new tool: its parameters are listed).</param>
    /// <param name="live">The live definition.</param>
    /// <returns>The differences, ordered by location; empty when the definitions say the same.</returns>
    public static IReadOnlyList<DefinitionDifference> Compare(JsonElement? pinned, JsonElement live)
    {
        var items = new List<DefinitionDifference>();
        var before = pinned is { ValueKind: JsonValueKind.Object } p ? p : default;
        var after = live.ValueKind == JsonValueKind.Object ? live : default;

        var oldName = Text(before, "name");
        var newName = Text(after, "name");
        if (pinned is not null && !string.Equals(oldName, newName, StringComparison.Ordinal))
        {
            items.Add(new("name", "/name", $"renamed from '{Show(oldName)}' to '{Show(newName)}'", ChangeSeverity.Medium));
        }

        var oldTitle = Text(before, "title");
        var newTitle = Text(after, "title");
        if (!string.Equals(oldTitle, newTitle, StringComparison.Ordinal))
        {
            items.Add(new("title", "/title", $"title changed: {TextDiff.Render(oldTitle, newTitle)}", ChangeSeverity.Low));
        }

        var oldDescription = Text(before, "description");
        var newDescription = Text(after, "description");
        if (!string.Equals(oldDescription, newDescription, StringComparison.Ordinal))
        {
            items.Add(new("description", "/description", $"description changed: {TextDiff.Render(oldDescription, newDescription)}", ChangeSeverity.Medium));
        }

        // A new tool is compared with an empty object schema, so each of its parameters is listed and classified.
        var oldInput = pinned is null ? EmptyObject : Member(before, "inputSchema");
        CompareSchema(items, oldInput, Member(after, "inputSchema"), "/inputSchema", input: true, 0);
        CompareSchema(items, Member(before, "outputSchema"), Member(after, "outputSchema"), "/outputSchema", input: false, 0);
        CompareAnnotations(items, Member(before, "annotations"), Member(after, "annotations"));

        if (!Same(Member(before, "_meta"), Member(after, "_meta")))
        {
            items.Add(new("meta", "/_meta", "the _meta object changed", ChangeSeverity.Low));
        }

        items.Sort(static (x, y) =>
        {
            var byLocation = string.CompareOrdinal(x.Location, y.Location);
            return byLocation != 0 ? byLocation : string.CompareOrdinal(x.Kind, y.Kind);
        });
        return items;
    }

    /// <summary>The highest severity in a list of differences (<see cref="ChangeSeverity.Info"/> for none).</summary>
    /// <param name="differences">The differences.</param>
    /// <returns>The highest severity.</returns>
    public static ChangeSeverity MaxSeverity(IEnumerable<DefinitionDifference> differences)
    {
        ArgumentNullException.ThrowIfNull(differences);
        var max = ChangeSeverity.Info;
        foreach (var d in differences)
        {
            max = d.Severity > max ? d.Severity : max;
        }

        return max;
    }

    private static void CompareSchema(List<DefinitionDifference> items, JsonElement before, JsonElement after, string at, bool input, int depth)
    {
        if (Same(before, after))
        {
            return;
        }

        // Changes to what a tool returns matter less than changes to what the model is asked to send.
        ChangeSeverity S(ChangeSeverity s) => input || s <= ChangeSeverity.Low ? s : ChangeSeverity.Low;

        if (before.ValueKind == JsonValueKind.Undefined && after.ValueKind == JsonValueKind.Undefined)
        {
            return;
        }

        if (before.ValueKind != JsonValueKind.Object || after.ValueKind != JsonValueKind.Object || depth >= MaxDepth)
        {
            var what = before.ValueKind == JsonValueKind.Undefined ? "added" : after.ValueKind == JsonValueKind.Undefined ? "removed" : "replaced";
            items.Add(new("schema:changed", at, $"the schema was {what}", S(ChangeSeverity.Medium)));
            return;
        }

        CompareTypes(items, before, after, at, S);
        CompareEnum(items, before, after, at, S);

        var oldPattern = Text(before, "pattern");
        var newPattern = Text(after, "pattern");
        if (oldPattern is not null && newPattern is null)
        {
            items.Add(new("schema:pattern-removed", at + "/pattern", $"pattern '{Show(oldPattern)}' removed: any text is accepted", S(ChangeSeverity.Medium)));
        }
        else if (oldPattern is null && newPattern is not null)
        {
            items.Add(new("schema:pattern-added", at + "/pattern", $"pattern '{Show(newPattern)}' added", ChangeSeverity.Low));
        }
        else if (!string.Equals(oldPattern, newPattern, StringComparison.Ordinal))
        {
            items.Add(new("schema:pattern-changed", at + "/pattern", $"pattern changed from '{Show(oldPattern)}' to '{Show(newPattern)}'", S(ChangeSeverity.Medium)));
        }

        var oldFormat = Text(before, "format");
        var newFormat = Text(after, "format");
        if (oldFormat is not null && !string.Equals(oldFormat, newFormat, StringComparison.Ordinal))
        {
            items.Add(new(newFormat is null ? "schema:format-removed" : "schema:format-changed", at + "/format",
                newFormat is null ? $"format '{Show(oldFormat)}' removed" : $"format changed from '{Show(oldFormat)}' to '{Show(newFormat)}'", S(ChangeSeverity.Medium)));
        }
        else if (oldFormat is null && newFormat is not null)
        {
            items.Add(new("schema:format-added", at + "/format", $"format '{Show(newFormat)}' added", ChangeSeverity.Low));
        }

        foreach (var bound in UpperBounds)
        {
            CompareBound(items, before, after, at, bound, upper: true, S);
        }

        foreach (var bound in LowerBounds)
        {
            CompareBound(items, before, after, at, bound, upper: false, S);
        }

        var oldDescription = Text(before, "description");
        var newDescription = Text(after, "description");
        if (!string.Equals(oldDescription, newDescription, StringComparison.Ordinal))
        {
            items.Add(new("schema:description", at + "/description", $"description changed: {TextDiff.Render(oldDescription, newDescription)}", S(ChangeSeverity.Medium)));
        }

        var oldTitle = Text(before, "title");
        var newTitle = Text(after, "title");
        if (!string.Equals(oldTitle, newTitle, StringComparison.Ordinal))
        {
            items.Add(new("schema:title", at + "/title", $"title changed: {TextDiff.Render(oldTitle, newTitle)}", ChangeSeverity.Low));
        }

        var oldExtra = Member(before, "additionalProperties");
        var newExtra = Member(after, "additionalProperties");
        if (!Same(oldExtra, newExtra))
        {
            if (oldExtra.ValueKind == JsonValueKind.False)
            {
                items.Add(new("schema:additional-properties-allowed", at + "/additionalProperties", "arguments not listed in the schema are now accepted", S(ChangeSeverity.Medium)));
            }
            else if (oldExtra.ValueKind == JsonValueKind.Object && newExtra.ValueKind == JsonValueKind.Object)
            {
                CompareSchema(items, oldExtra, newExtra, at + "/additionalProperties", input, depth + 1);
            }
            else
            {
                items.Add(new("schema:keyword-changed", at + "/additionalProperties", "additionalProperties changed", ChangeSeverity.Low));
            }
        }

        CompareProperties(items, before, after, at, input, depth, S);

        var oldItems = Member(before, "items");
        var newItems = Member(after, "items");
        if (!Same(oldItems, newItems))
        {
            if (oldItems.ValueKind == JsonValueKind.Object && newItems.ValueKind == JsonValueKind.Object)
            {
                CompareSchema(items, oldItems, newItems, at + "/items", input, depth + 1);
            }
            else
            {
                items.Add(new("schema:keyword-changed", at + "/items", "the item schema changed", S(ChangeSeverity.Medium)));
            }
        }

        // Everything else (combinators, $defs, defaults, examples...): reported, so no change goes unseen.
        foreach (var name in KeywordNames(before, after))
        {
            if (!SchemaKeywords.Contains(name) && !Same(Member(before, name), Member(after, name)))
            {
                items.Add(new("schema:keyword-changed", at + "/" + Escape(name), $"keyword '{Show(name)}' changed", ChangeSeverity.Low));
            }
        }
    }

    private static void CompareProperties(List<DefinitionDifference> items, JsonElement before, JsonElement after, string at, bool input, int depth, Func<ChangeSeverity, ChangeSeverity> s)
    {
        var oldProps = Member(before, "properties");
        var newProps = Member(after, "properties");
        var oldRequired = Names(Member(before, "required"));
        var newRequired = Names(Member(after, "required"));

        if (newProps.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in newProps.EnumerateObject())
            {
                var where = at + "/properties/" + Escape(property.Name);
                var old = Member(oldProps, property.Name);
                if (old.ValueKind == JsonValueKind.Undefined)
                {
                    var required = newRequired.Contains(property.Name);
                    items.Add(new("schema:parameter-added", where, $"{(required ? "required" : "optional")} parameter '{Show(property.Name)}' added", s(required ? ChangeSeverity.Medium : ChangeSeverity.Low)));
                    if (input)
                    {
                        ClassifyNewParameter(items, property.Name, property.Value, where);
                    }
                }
                else
                {
                    CompareSchema(items, old, property.Value, where, input, depth + 1);
                }
            }
        }

        if (oldProps.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in oldProps.EnumerateObject())
            {
                if (Member(newProps, property.Name).ValueKind == JsonValueKind.Undefined)
                {
                    items.Add(new("schema:parameter-removed", at + "/properties/" + Escape(property.Name), $"parameter '{Show(property.Name)}' removed", ChangeSeverity.Low));
                }
            }
        }

        foreach (var name in newRequired)
        {
            if (!oldRequired.Contains(name))
            {
                items.Add(new("schema:required-added", at + "/required", $"'{Show(name)}' is now required", s(ChangeSeverity.Medium)));
            }
        }

        foreach (var name in oldRequired)
        {
            if (!newRequired.Contains(name))
            {
                items.Add(new("schema:required-removed", at + "/required", $"'{Show(name)}' is no longer required", ChangeSeverity.Low));
            }
        }
    }

    /// <summary>A new parameter the model fills with free text, or with a URL, is where a changed tool can ask for data to leave.</summary>
    private static void ClassifyNewParameter(List<DefinitionDifference> items, string name, JsonElement schema, string where)
    {
        var format = Text(schema, "format");
        var description = Text(schema, "description") ?? "";
        var lowerName = name.ToLowerInvariant();
        var urlLike = format is "uri" or "uri-reference" or "iri" or "iri-reference" or "url";
        foreach (var word in UrlWords)
        {
            urlLike |= lowerName.Contains(word, StringComparison.Ordinal);
        }

        urlLike |= description.Contains("URL", StringComparison.OrdinalIgnoreCase) || description.Contains("http", StringComparison.OrdinalIgnoreCase);
        if (urlLike)
        {
            items.Add(new("schema:url-parameter-added", where, $"new parameter '{Show(name)}' takes a URL: the tool can be told where to send data", ChangeSeverity.High));
            return;
        }

        var types = Types(schema);
        var textual = types is null || types.Contains("string");
        var bounded = Member(schema, "enum").ValueKind != JsonValueKind.Undefined || Member(schema, "const").ValueKind != JsonValueKind.Undefined
            || Text(schema, "pattern") is not null || format is not null;
        if (textual && !bounded)
        {
            items.Add(new("schema:free-text-parameter-added", where, $"new parameter '{Show(name)}' accepts free text: the model can be asked to put other data in it", ChangeSeverity.Medium));
        }
    }

    private static void CompareTypes(List<DefinitionDifference> items, JsonElement before, JsonElement after, string at, Func<ChangeSeverity, ChangeSeverity> s)
    {
        var oldTypes = Types(before);
        var newTypes = Types(after);
        if (oldTypes is null && newTypes is null)
        {
            return;
        }

        if (oldTypes is not null && newTypes is null)
        {
            items.Add(new("schema:type-widened", at + "/type", $"type {string.Join("|", oldTypes)} removed: any type is accepted", s(ChangeSeverity.Medium)));
            return;
        }

        if (oldTypes is null)
        {
            items.Add(new("schema:type-narrowed", at + "/type", $"type {string.Join("|", newTypes!)} added", ChangeSeverity.Low));
            return;
        }

        var added = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in newTypes!)
        {
            // "number" after "integer" accepts more; "integer" after "number" accepts less.
            if (!oldTypes.Contains(type) && !(type == "integer" && oldTypes.Contains("number")))
            {
                added.Add(type);
            }
        }

        if (added.Count > 0)
        {
            items.Add(new("schema:type-widened", at + "/type", $"type widened from {string.Join("|", oldTypes)} to {string.Join("|", newTypes)}", s(ChangeSeverity.Medium)));
        }
        else if (!oldTypes.SetEquals(newTypes))
        {
            items.Add(new("schema:type-narrowed", at + "/type", $"type narrowed from {string.Join("|", oldTypes)} to {string.Join("|", newTypes)}", ChangeSeverity.Low));
        }
    }

    private static void CompareEnum(List<DefinitionDifference> items, JsonElement before, JsonElement after, string at, Func<ChangeSeverity, ChangeSeverity> s)
    {
        var oldEnum = Member(before, "enum");
        var newEnum = Member(after, "enum");
        if (Same(oldEnum, newEnum))
        {
            return;
        }

        if (oldEnum.ValueKind == JsonValueKind.Array && newEnum.ValueKind != JsonValueKind.Array)
        {
            items.Add(new("schema:enum-removed", at + "/enum", "the list of allowed values was removed: any value is accepted", s(ChangeSeverity.Medium)));
            return;
        }

        if (oldEnum.ValueKind != JsonValueKind.Array)
        {
            items.Add(new("schema:enum-added", at + "/enum", "a list of allowed values was added", ChangeSeverity.Low));
            return;
        }

        var oldValues = Canonicals(oldEnum);
        var newValues = Canonicals(newEnum);
        var grown = newValues.Where(v => !oldValues.Contains(v)).ToList();
        var shrunk = oldValues.Where(v => !newValues.Contains(v)).ToList();
        if (grown.Count > 0)
        {
            items.Add(new("schema:enum-grown", at + "/enum", $"allowed values added: {Show(string.Join(", ", grown))}", s(ChangeSeverity.Medium)));
        }

        if (shrunk.Count > 0)
        {
            items.Add(new("schema:enum-shrunk", at + "/enum", $"allowed values removed: {Show(string.Join(", ", shrunk))}", ChangeSeverity.Low));
        }
    }

    private static void CompareBound(List<DefinitionDifference> items, JsonElement before, JsonElement after, string at, string keyword, bool upper, Func<ChangeSeverity, ChangeSeverity> s)
    {
        var old = Member(before, keyword);
        var now = Member(after, keyword);
        if (Same(old, now))
        {
            return;
        }

        var where = at + "/" + keyword;
        if (old.ValueKind == JsonValueKind.Number && now.ValueKind == JsonValueKind.Undefined)
        {
            items.Add(new($"schema:{keyword}-removed", where, $"{keyword} {old.GetRawText()} removed", upper ? s(ChangeSeverity.Medium) : ChangeSeverity.Low));
        }
        else if (old.ValueKind == JsonValueKind.Number && now.ValueKind == JsonValueKind.Number)
        {
            var looser = upper ? now.GetDouble() > old.GetDouble() : now.GetDouble() < old.GetDouble();
            items.Add(new($"schema:{keyword}-{(looser ? "relaxed" : "tightened")}", where, $"{keyword} changed from {old.GetRawText()} to {now.GetRawText()}",
                looser && upper ? s(ChangeSeverity.Medium) : ChangeSeverity.Low));
        }
        else
        {
            items.Add(new($"schema:{keyword}-added", where, $"{keyword} {now.GetRawText()} added", ChangeSeverity.Low));
        }
    }

    private static void CompareAnnotations(List<DefinitionDifference> items, JsonElement before, JsonElement after)
    {
        // The specification's defaults for a missing hint: not read-only, destructive, not idempotent, open world.
        Hint(items, before, after, "readOnlyHint", false, (o, n) => o && !n ? ChangeSeverity.High : ChangeSeverity.Low, "read-only");
        Hint(items, before, after, "destructiveHint", true, (o, n) => !o && n ? ChangeSeverity.High : ChangeSeverity.Low, "destructive");
        Hint(items, before, after, "openWorldHint", true, (o, n) => !o && n ? ChangeSeverity.Medium : ChangeSeverity.Low, "open-world");
        Hint(items, before, after, "idempotentHint", false, (o, n) => o && !n ? ChangeSeverity.Low : ChangeSeverity.Info, "idempotent");

        var oldTitle = Text(before, "title");
        var newTitle = Text(after, "title");
        if (!string.Equals(oldTitle, newTitle, StringComparison.Ordinal))
        {
            items.Add(new("annotation:title", "/annotations/title", $"annotation title changed: {TextDiff.Render(oldTitle, newTitle)}", ChangeSeverity.Info));
        }
    }

    private static void Hint(List<DefinitionDifference> items, JsonElement before, JsonElement after, string name, bool missing, Func<bool, bool, ChangeSeverity> severity, string meaning)
    {
        var old = Member(before, name);
        var now = Member(after, name);
        if (Same(old, now))
        {
            return;
        }

        var o = old.ValueKind == JsonValueKind.True || (old.ValueKind != JsonValueKind.False && missing);
        var n = now.ValueKind == JsonValueKind.True || (now.ValueKind != JsonValueKind.False && missing);
        var message = o == n
            ? $"{name} changed from {Raw(old)} to {Raw(now)} (still {(n ? "" : "not ")}{meaning})"
            : $"{name} flipped from {Raw(old)} to {Raw(now)}: the tool {(n ? "now claims to be" : "no longer claims to be")} {meaning}";
        items.Add(new("annotation:" + name, "/annotations/" + name, message, o == n ? ChangeSeverity.Info : severity(o, n)));
    }

    private static string Raw(JsonElement value) => value.ValueKind == JsonValueKind.Undefined ? "absent" : value.GetRawText();

    private static SortedSet<string>? Types(JsonElement schema)
    {
        var type = Member(schema, "type");
        if (type.ValueKind == JsonValueKind.String)
        {
            return new SortedSet<string>(StringComparer.Ordinal) { type.GetString()! };
        }

        if (type.ValueKind == JsonValueKind.Array)
        {
            var set = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var t in type.EnumerateArray())
            {
                if (t.ValueKind == JsonValueKind.String)
                {
                    set.Add(t.GetString()!);
                }
            }

            return set;
        }

        return null;
    }

    private static List<string> Names(JsonElement array)
    {
        var names = new List<string>();
        if (array.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in array.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && !names.Contains(item.GetString()!))
                {
                    names.Add(item.GetString()!);
                }
            }
        }

        return names;
    }

    private static List<string> Canonicals(JsonElement array)
    {
        var values = new List<string>();
        foreach (var item in array.EnumerateArray())
        {
            try
            {
                values.Add(System.Text.Encoding.UTF8.GetString(CanonicalJson.Serialize(item)));
            }
            catch (ArgumentException)
            {
                values.Add(item.GetRawText());
            }
        }

        return values;
    }

    private static SortedSet<string> KeywordNames(JsonElement before, JsonElement after)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var p in before.EnumerateObject())
        {
            names.Add(p.Name);
        }

        foreach (var p in after.EnumerateObject())
        {
            names.Add(p.Name);
        }

        return names;
    }

    private static JsonElement Member(JsonElement owner, string name)
        => owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : default;

    private static string? Text(JsonElement owner, string name)
        => Member(owner, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static bool Same(JsonElement a, JsonElement b)
    {
        if (a.ValueKind == JsonValueKind.Undefined || b.ValueKind == JsonValueKind.Undefined)
        {
            return a.ValueKind == b.ValueKind;
        }

        try
        {
            return CanonicalJson.Serialize(a).AsSpan().SequenceEqual(CanonicalJson.Serialize(b));
        }
        catch (ArgumentException)
        {
            // Not I-JSON (a number out of range): compare as written.
            return string.Equals(a.GetRawText(), b.GetRawText(), StringComparison.Ordinal);
        }
    }

    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string Show(string? text) => text is null ? "" : TextDiff.Visible(text.Length > 200 ? text[..200] + "…" : text);
}
