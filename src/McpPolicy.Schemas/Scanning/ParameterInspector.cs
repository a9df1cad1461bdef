using System.Text;
using System.Text.Json;

namespace McpPolicy.Schemas.Scanning;

/// <summary>
/// Finds exfiltration-shaped parameters: free-text string parameters (no enum, const or pattern) that the parameter's own description, or
/// the tool's description near the parameter's name, asks the model to fill with other data (the conversation, other tools' results,
/// keys, files); and free-text parameters named like a side channel (callback, webhook, sidenote).
/// </summary>
internal static class ParameterInspector
{
    /// <summary>How many words after a fill verb its object may come.</summary>
    private const int ObjectWindow = 8;

    /// <summary>How many words around a parameter's name in the tool description are searched for a fill phrase.</summary>
    private const int MentionWindow = 14;

    /// <summary>How many mentions of one parameter's name in the tool description are examined.</summary>
    private const int MaxMentions = 16;

    /// <summary>How many words after the fill verb or its object the parameter's name may come.</summary>
    private const int ParameterDistance = 6;

    public static void Inspect(JsonElement definition, FindingSink sink, int maxDepth)
    {
        if (!definition.TryGetProperty("inputSchema", out var schema) || schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var toolDescription = definition.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() ?? string.Empty : string.Empty;
        var toolWords = Words(toolDescription);
        var positions = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < toolWords.Length; i++)
        {
            if (!positions.TryGetValue(toolWords[i], out var list))
            {
                positions[toolWords[i]] = list = [];
            }

            list.Add(i);
        }

        Visit(schema, "/inputSchema", new ToolText(toolDescription, toolWords, positions), sink, 0, maxDepth);
    }

    private static void Visit(JsonElement schema, string pointer, ToolText tool, FindingSink sink, int depth, int maxDepth)
    {
        if (depth >= maxDepth || schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in properties.EnumerateObject())
            {
                var at = pointer + "/properties/" + Escape(property.Name);
                CheckParameter(property.Name, property.Value, at, tool, sink);
                Visit(property.Value, at, tool, sink, depth + 1, maxDepth);
            }
        }

        if (schema.TryGetProperty("items", out var items))
        {
            Visit(items, pointer + "/items", tool, sink, depth + 1, maxDepth);
        }

        foreach (var keyword in (ReadOnlySpan<string>)["anyOf", "oneOf", "allOf"])
        {
            if (schema.TryGetProperty(keyword, out var list) && list.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var branch in list.EnumerateArray())
                {
                    Visit(branch, pointer + "/" + keyword + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture), tool, sink, depth + 1, maxDepth);
                    index++;
                }
            }
        }
    }

    private static void CheckParameter(string name, JsonElement schema, string pointer, ToolText tool, FindingSink sink)
    {
        if (!IsFreeText(schema))
        {
            return;
        }

        var own = Text(schema, "description") + " " + Text(schema, "title");
        var ownWords = Words(own);
        if (FindFill(ownWords))
        {
            sink.Add(DefinitionFindingIds.ExfiltrationParameter, FindingSeverity.High, pointer,
                "a free-text parameter whose description asks the model to fill it with other data", VisibleText.Show(own.Trim(), 120));
            return;
        }

        var nameWords = Words(SplitCamel(name));
        if (nameWords.Length > 0 && tool.Positions.TryGetValue(nameWords[0], out var starts))
        {
            var toolWords = tool.Words;
            for (var s = 0; s < starts.Count && s < MaxMentions; s++)
            {
                var p = starts[s];
                if (StartsAt(toolWords, nameWords, p) && FindFillBefore(toolWords, p))
                {
                    sink.Add(DefinitionFindingIds.ExfiltrationParameter, FindingSeverity.High, pointer,
                        "a free-text parameter that the tool description asks the model to fill with other data", VisibleText.Show(tool.Description.Trim(), 120));
                    return;
                }
            }
        }

        var joined = string.Concat(nameWords);
        var shaped = joined.Contains("callback", StringComparison.Ordinal) || joined.Contains("webhook", StringComparison.Ordinal)
            || joined.Contains("sidenote", StringComparison.Ordinal) || joined.Contains("exfil", StringComparison.Ordinal);
        foreach (var word in nameWords)
        {
            if (shaped || Phrases.CallbackWords.Contains(word))
            {
                sink.Add(DefinitionFindingIds.CallbackParameter, FindingSeverity.Medium, pointer,
                    "a free-text parameter named like a side channel (callback, webhook, sidenote)", VisibleText.Show(name, 60));
                return;
            }
        }
    }

    /// <summary>A string parameter (or one with no type) the model may fill with any text: no enum, const or pattern.</summary>
    private static bool IsFreeText(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return schema.ValueKind == JsonValueKind.True;
        }

        if (schema.TryGetProperty("enum", out _) || schema.TryGetProperty("const", out _) || schema.TryGetProperty("pattern", out _))
        {
            return false;
        }

        if (!schema.TryGetProperty("type", out var type))
        {
            foreach (var keyword in (ReadOnlySpan<string>)["anyOf", "oneOf"])
            {
                if (schema.TryGetProperty(keyword, out var branches) && branches.ValueKind == JsonValueKind.Array)
                {
                    foreach (var branch in branches.EnumerateArray())
                    {
                        if (branch.ValueKind == JsonValueKind.Object && branch.TryGetProperty("type", out _) && IsFreeText(branch))
                        {
                            return true;
                        }
                    }

                    return false;
                }
            }

            return !schema.TryGetProperty("properties", out _) && !schema.TryGetProperty("items", out _) && !schema.TryGetProperty("$ref", out _)
                && !schema.TryGetProperty("allOf", out _);
        }

        if (type.ValueKind == JsonValueKind.String)
        {
            return type.ValueEquals("string");
        }

        if (type.ValueKind == JsonValueKind.Array)
        {
            foreach (var t in type.EnumerateArray())
            {
                if (t.ValueKind == JsonValueKind.String && t.ValueEquals("string"))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>True when a fill verb is followed within <see cref="ObjectWindow"/> words by other data ("include the chat history").</summary>
    internal static bool FindFill(string[] words)
    {
        for (var k = 0; k < words.Length; k++)
        {
            if (!Phrases.FillVerbs.Contains(words[k]))
            {
                continue;
            }

            var end = Math.Min(words.Length, k + 1 + ObjectWindow);
            for (var m = k + 1; m < end; m++)
            {
                if (Phrases.FillObjects.Contains(words[m]) || (m + 1 < words.Length && Phrases.FillObjectPairs.Contains(words[m] + " " + words[m + 1])))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// True when a fill verb and other data (in either order, at most <see cref="ObjectWindow"/> words apart) come shortly before the
    /// parameter's name at <paramref name="at"/>: "pass the contents of ~/.ssh/id_rsa as sidenote", "put the conversation in the notes field".
    /// </summary>
    internal static bool FindFillBefore(string[] words, int at)
    {
        for (var k = Math.Max(0, at - MentionWindow); k < at; k++)
        {
            if (!Phrases.FillVerbs.Contains(words[k]))
            {
                continue;
            }

            for (var m = Math.Max(0, k - ObjectWindow); m < Math.Min(at, k + ObjectWindow + 1); m++)
            {
                var end = Phrases.FillObjects.Contains(words[m]) ? m
                    : m + 1 < at && Phrases.FillObjectPairs.Contains(words[m] + " " + words[m + 1]) ? m + 1
                    : -1;
                if (m != k && end >= 0 && at - Math.Max(k, end) <= ParameterDistance)
                {
                    return true;
                }
            }
        }

        return false;
    }

    internal static string[] Words(string text) =>
        NormalizedText.From(text).Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static bool StartsAt(string[] words, string[] phrase, int at)
    {
        if (at + phrase.Length > words.Length)
        {
            return false;
        }

        for (var k = 1; k < phrase.Length; k++)
        {
            if (!string.Equals(words[at + k], phrase[k], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>"callbackUrl" → "callback Url", so camel-case names read as words.</summary>
    internal static string SplitCamel(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && char.IsLower(name[i - 1]))
            {
                builder.Append(' ');
            }

            builder.Append(name[i]);
        }

        return builder.ToString();
    }

    private static string Text(JsonElement schema, string keyword) =>
        schema.TryGetProperty(keyword, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : string.Empty;

    internal static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>The tool description, its words and where each word occurs.</summary>
    private sealed record ToolText(string Description, string[] Words, Dictionary<string, List<int>> Positions);
}
