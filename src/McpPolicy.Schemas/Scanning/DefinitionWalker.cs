using System.Globalization;
using System.Text.Json;

namespace McpPolicy.Schemas.Scanning;

/// <summary>
/// Walks one tool definition: every string value and property name at any depth goes through <see cref="TextInspector"/>, the name
/// through <see cref="NameInspector"/>, the input schema through <see cref="ParameterInspector"/>. Depth and total text are bounded;
/// what lies beyond a bound is reported, never silently skipped. The strings seen are kept for the catalog's cross-server checks.
/// </summary>
internal sealed class DefinitionWalker
{
    private readonly FindingSink _sink;
    private readonly int _maxDepth;
    private readonly int _maxText;
    private int _text;
    private bool _limitReported;

    public DefinitionWalker(FindingSink sink, int maxDepth, int maxText)
    {
        _sink = sink;
        _maxDepth = maxDepth;
        _maxText = maxText;
    }

    /// <summary>The string values seen, with their pointers, except the tool's own name.</summary>
    public List<(string Pointer, string Text)> Strings { get; } = [];

    /// <summary>Scans a definition; returns its name when it has a string one.</summary>
    public string? Walk(JsonElement definition)
    {
        var path = _sink.Path;
        path.Clear();
        if (definition.ValueKind != JsonValueKind.Object)
        {
            _sink.Add(DefinitionFindingIds.InvalidDefinition, FindingSeverity.High, string.Empty,
                $"a tool definition must be a JSON object, but this is {Describe(definition.ValueKind)}", string.Empty);
            return null;
        }

        string? name = null;
        if (definition.TryGetProperty("name", out var nameValue) && nameValue.ValueKind == JsonValueKind.String)
        {
            name = nameValue.GetString()!;
            _sink.ToolName = name;
            NameInspector.Check(name, _sink, "/name");
        }
        else
        {
            _sink.Add(DefinitionFindingIds.InvalidDefinition, FindingSeverity.High, "/name", "a tool definition must have a string \"name\"", string.Empty);
        }

        Visit(definition, 0);
        path.Clear();
        ParameterInspector.Inspect(definition, _sink, _maxDepth);
        return name;
    }

    private void Visit(JsonElement value, int depth)
    {
        var path = _sink.Path;
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                if (depth >= _maxDepth)
                {
                    Limit(string.Create(CultureInfo.InvariantCulture, $"the definition is nested more than {_maxDepth} levels deep; deeper values were not scanned"));
                    return;
                }

                foreach (var property in value.EnumerateObject())
                {
                    path.Push(property.Name);
                    if (Take(property.Name.Length))
                    {
                        TextInspector.Inspect(property.Name, _sink, "this property name");
                        Visit(property.Value, depth + 1);
                    }

                    path.Pop();
                }

                break;

            case JsonValueKind.Array:
                if (depth >= _maxDepth)
                {
                    Limit(string.Create(CultureInfo.InvariantCulture, $"the definition is nested more than {_maxDepth} levels deep; deeper values were not scanned"));
                    return;
                }

                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    path.Push(index++);
                    Visit(item, depth + 1);
                    path.Pop();
                }

                break;

            case JsonValueKind.String:
                var text = value.GetString()!;
                if (Take(text.Length))
                {
                    TextInspector.Inspect(text, _sink, "this text");
                    if (!(path.Depth == 1 && path.ToString() == "/name"))
                    {
                        Strings.Add((path.ToString(), text));
                    }
                }

                break;

            default:
                break;
        }
    }

    /// <summary>Counts <paramref name="length"/> characters against the budget; false (and a finding) once it is spent.</summary>
    private bool Take(int length)
    {
        _text += length;
        if (_text <= _maxText)
        {
            return true;
        }

        Limit(string.Create(CultureInfo.InvariantCulture, $"the definition holds more than {_maxText} characters of text; the rest was not scanned"));
        return false;
    }

    private void Limit(string message)
    {
        if (!_limitReported)
        {
            _limitReported = true;
            _sink.Add(DefinitionFindingIds.ScanLimit, FindingSeverity.High, message, string.Empty);
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
