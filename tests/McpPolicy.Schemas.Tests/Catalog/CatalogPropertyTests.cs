using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Schemas.Tests.Catalog;

/// <summary>
/// Properties of the definition hash the lock relies on: it ignores member order and formatting, it changes when any single hashed
/// field changes, the semantic diff reports every change the hash sees, and the lock file keeps every hash.
/// </summary>
public sealed class CatalogPropertyTests
{
    private const int Cases = 300;

    private static readonly string[] Keys = ["path", "mode", "limit", "query", "to", "x", "callback_url", "tags"];
    private static readonly string[] Words = ["Reads", "a", "file", "", "ignore previous instructions", "~/.ssh", "é", "\u200B", "line\nbreak"];
    private static readonly string[] Members = ["name", "title", "description", "inputSchema", "outputSchema", "annotations", "_meta"];

    private static void Holds<T>(Gen<T> gen, Func<T, bool> property)
        => Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases), Prop.ForAll(gen.ToArbitrary(), property));

    private static Tool Parse(string json) => JsonSerializer.Deserialize<Tool>(json, McpJsonUtilities.DefaultOptions)!;

    /// <summary>A random tool definition as JSON, built from a seed so a failure can be replayed.</summary>
    internal static JsonObject Definition(int seed)
    {
        var random = new Random(seed);
        var properties = new JsonObject();
        for (var i = random.Next(0, 4); i > 0; i--)
        {
            properties[Keys[random.Next(Keys.Length)]] = Schema(random, 0);
        }

        var definition = new JsonObject
        {
            ["name"] = "tool_" + random.Next(100),
            ["inputSchema"] = new JsonObject { ["type"] = "object", ["properties"] = properties },
        };
        if (random.Next(2) == 0)
        {
            definition["title"] = Word(random);
        }

        if (random.Next(4) != 0)
        {
            definition["description"] = Word(random) + " " + Word(random);
        }

        if (random.Next(3) == 0)
        {
            definition["outputSchema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["result"] = Schema(random, 1) } };
        }

        if (random.Next(2) == 0)
        {
            var annotations = new JsonObject();
            foreach (var hint in new[] { "readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint" })
            {
                if (random.Next(2) == 0)
                {
                    annotations[hint] = random.Next(2) == 0;
                }
            }

            definition["annotations"] = annotations;
        }

        if (random.Next(3) == 0)
        {
            definition["_meta"] = new JsonObject { ["vendor/" + Keys[random.Next(Keys.Length)]] = Word(random), ["n"] = random.Next(-5, 5) };
        }

        return definition;
    }

    private static JsonObject Schema(Random random, int depth)
    {
        var schema = new JsonObject { ["type"] = new[] { "string", "integer", "number", "boolean", "object", "array" }[random.Next(6)] };
        if (random.Next(2) == 0)
        {
            schema["description"] = Word(random);
        }

        if (random.Next(3) == 0)
        {
            schema["maxLength"] = random.Next(1, 500);
        }

        if (random.Next(4) == 0)
        {
            schema["enum"] = new JsonArray(Word(random), random.Next(10), 1.5);
        }

        if (random.Next(4) == 0)
        {
            schema["pattern"] = "^[a-z]{1," + random.Next(1, 9) + "}$";
        }

        if (depth < 2 && random.Next(3) == 0)
        {
            schema["items"] = Schema(random, depth + 1);
        }

        return schema;
    }

    private static string Word(Random random) => Words[random.Next(Words.Length)];

    /// <summary>The same JSON with the members of every object in a shuffled order.</summary>
    private static JsonNode? Shuffle(JsonNode? node, Random random) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(_ => random.Next()).Select(p => KeyValuePair.Create(p.Key, Shuffle(p.Value, random))).ToList()),
        JsonArray a => new JsonArray(a.Select(n => Shuffle(n, random)).ToArray()),
        _ => node?.DeepClone(),
    };

    /// <summary>Changes exactly one hashed member of the definition.</summary>
    private static JsonObject ChangeOne(JsonObject definition, int member, int seed)
    {
        var changed = (JsonObject)definition.DeepClone();
        var random = new Random(seed);
        switch (Members[member])
        {
            case "name":
                changed["name"] = changed["name"]!.GetValue<string>() + "_v2";
                break;
            case "title":
            case "description":
                var name = Members[member];
                changed[name] = changed[name] is { } text ? text.GetValue<string>() + "!" : "added";
                break;
            case "inputSchema":
                var properties = changed["inputSchema"]!["properties"]!.AsObject();
                if (properties.Count == 0 || random.Next(2) == 0)
                {
                    properties["zz_" + random.Next(100)] = new JsonObject { ["type"] = "string" };
                }
                else
                {
                    Mutate(properties.ElementAt(random.Next(properties.Count)).Value!.AsObject(), random);
                }

                break;
            case "outputSchema":
                if (changed["outputSchema"] is JsonObject output)
                {
                    Mutate(output["properties"]!["result"]!.AsObject(), random);
                }
                else
                {
                    changed["outputSchema"] = new JsonObject { ["type"] = "object" };
                }

                break;
            case "annotations":
                var annotations = changed["annotations"] as JsonObject ?? new JsonObject();
                changed["annotations"] = annotations;
                annotations["readOnlyHint"] = annotations["readOnlyHint"] is { } hint ? !hint.GetValue<bool>() : true;
                break;
            default:
                var meta = changed["_meta"] as JsonObject ?? new JsonObject();
                changed["_meta"] = meta;
                meta["changed"] = seed;
                break;
        }

        return changed;
    }

    /// <summary>One edit of a property schema: a keyword's value changed, added or removed.</summary>
    private static void Mutate(JsonObject schema, Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                schema["description"] = schema["description"] is { } d ? d.GetValue<string>() + " more" : "new text";
                break;
            case 1:
                schema["maxLength"] = schema["maxLength"] is { } m ? m.GetValue<int>() + 1 : 7;
                break;
            case 2:
                schema["type"] = schema["type"]!.GetValue<string>() == "string" ? "integer" : "string";
                break;
            default:
                if (schema["enum"] is JsonArray values)
                {
                    values.Add("extra");
                }
                else
                {
                    schema["enum"] = new JsonArray("only");
                }

                break;
        }
    }

    private static readonly Gen<(int Definition, int Order)> Reordered =
        from d in Gen.Choose(0, int.MaxValue - 1)
        from o in Gen.Choose(0, int.MaxValue - 1)
        select (d, o);

    private static readonly Gen<(int Definition, int Member, int Edit)> SingleChange =
        from d in Gen.Choose(0, int.MaxValue - 1)
        from m in Gen.Choose(0, Members.Length - 1)
        from e in Gen.Choose(0, int.MaxValue - 1)
        select (d, m, e);

    [Fact]
    public void Hash_ignores_member_order_whitespace_and_reserialization()
        => Holds(Reordered, c =>
        {
            var definition = Definition(c.Definition);
            var shuffled = Shuffle(definition, new Random(c.Order))!.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            var roundTripped = JsonSerializer.Serialize(Parse(shuffled), McpJsonUtilities.DefaultOptions);

            var hash = ToolDefinitionHash.Compute(Parse(definition.ToJsonString()));
            return hash == ToolDefinitionHash.Compute(Parse(shuffled)) && hash == ToolDefinitionHash.Compute(Parse(roundTripped));
        });

    [Fact]
    public void Hash_changes_when_any_single_hashed_field_changes()
        => Holds(SingleChange, c =>
        {
            var definition = Definition(c.Definition);
            var changed = ChangeOne(definition, c.Member, c.Edit);

            return ToolDefinitionHash.Compute(Parse(definition.ToJsonString())) != ToolDefinitionHash.Compute(Parse(changed.ToJsonString()));
        });

    [Fact]
    public void Semantic_diff_reports_every_change_the_hash_sees_and_nothing_for_reordering()
        => Holds(SingleChange, c =>
        {
            var before = LockedTool.Create(Parse(Definition(c.Definition).ToJsonString()), "a", DateTimeOffset.UnixEpoch).Definition;
            var afterTool = Parse(ChangeOne(Definition(c.Definition), c.Member, c.Edit).ToJsonString());
            var after = LockedTool.Create(afterTool, "a", DateTimeOffset.UnixEpoch).Definition;
            var reordered = JsonDocument.Parse(Shuffle(JsonNode.Parse(before.GetRawText()), new Random(c.Edit))!.ToJsonString()).RootElement;

            return DefinitionDiff.Compare(before, after).Count > 0 && DefinitionDiff.Compare(before, reordered).Count == 0;
        });

    [Fact]
    public void Lock_file_round_trip_keeps_every_hash()
        => Holds(Gen.ArrayOf(Gen.Choose(0, int.MaxValue - 1), 4), seeds =>
        {
            var catalogLock = CatalogLock.Empty;
            foreach (var seed in seeds)
            {
                var tool = Parse(Definition(seed).ToJsonString());
                catalogLock = catalogLock.SetTool("s" + (seed % 2), LockedTool.Create(tool, "alice", DateTimeOffset.UnixEpoch.AddSeconds(seed)));
            }

            var read = CatalogLockFile.Parse(CatalogLockFile.Serialize(catalogLock));
            return catalogLock.Servers.All(s => s.Value.Tools.All(t =>
                read.TryGetTool(s.Key, t.Key, out var again) && again.Hash == t.Value.Hash && again.ApprovedAt == t.Value.ApprovedAt));
        });
}
