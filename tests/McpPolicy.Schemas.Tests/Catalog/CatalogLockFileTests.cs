using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Schemas.Tests.Catalog;

public sealed class CatalogLockFileTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 21, 9, 30, 0, TimeSpan.Zero);

    private static readonly CatalogLockSigningKey Key = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray(), "ci");

    internal static Tool Tool(string name, string description = "Reads a file.", string schema = """{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}""")
        => new() { Name = name, Description = description, InputSchema = JsonDocument.Parse(schema).RootElement.Clone(), Annotations = new ToolAnnotations { ReadOnlyHint = true } };

    internal static CatalogLock Sample()
        => CatalogLock.Empty
            .SetTool("fs", LockedTool.Create(Tool("read_file"), "alice", At))
            .SetTool("fs", LockedTool.Create(Tool("list_dir", "Lists a folder."), "alice", At.AddMinutes(1)))
            .SetTool("web", LockedTool.Create(Tool("fetch", "Fetches a URL.", """{"type":"object","properties":{"url":{"type":"string","format":"uri"}}}"""), "bob", At))
            .SetInstructions("fs", new LockedHash(CatalogHash.Instructions("Use read_file for files.")!, "alice", At));

    [Fact]
    public void Round_trip_keeps_every_tool_hash_approver_time_and_instructions()
    {
        var original = Sample();

        var read = CatalogLockFile.Parse(CatalogLockFile.Serialize(original));

        Assert.Equal(["fs", "web"], read.Servers.Keys);
        Assert.Equal(["list_dir", "read_file"], read.Servers["fs"].Tools.Keys);
        foreach (var (id, server) in original.Servers)
        {
            foreach (var (name, tool) in server.Tools)
            {
                var again = read.Servers[id].Tools[name];
                Assert.Equal(tool.Hash, again.Hash);
                Assert.Equal(tool.ApprovedBy, again.ApprovedBy);
                Assert.Equal(tool.ApprovedAt, again.ApprovedAt);
                Assert.Equal(tool.Hash, ToolDefinitionHash.Compute(again.ToTool()));
            }
        }

        Assert.Equal(original.Servers["fs"].Instructions, read.Servers["fs"].Instructions);
        Assert.Null(read.Servers["web"].Instructions);
    }

    [Fact]
    public void Writing_is_deterministic_sorted_and_one_tool_per_block()
    {
        var text = CatalogLockFile.Serialize(Sample());
        var reordered = CatalogLock.Empty.Merge(Sample());

        Assert.Equal(text, CatalogLockFile.Serialize(reordered));
        Assert.Equal(text, CatalogLockFile.Serialize(CatalogLockFile.Parse(text)));
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("\"list_dir\": {", StringComparison.Ordinal) < text.IndexOf("\"read_file\": {", StringComparison.Ordinal));

        // Each tool starts its own block on its own line, at the same indentation.
        Assert.Contains("\n        \"list_dir\": {\n          \"approvedAt\": \"2026-11-21T09:31:00Z\",\n          \"approvedBy\": \"alice\",\n          \"definition\": {", text, StringComparison.Ordinal);

        // Definitions are written with their members in order, so a changed field is a one-line diff.
        var definition = text[text.IndexOf("\"read_file\": {", StringComparison.Ordinal)..];
        Assert.True(definition.IndexOf("\"annotations\"", StringComparison.Ordinal) < definition.IndexOf("\"description\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Hidden_characters_in_a_definition_are_escaped_in_the_file()
    {
        var lockValue = CatalogLock.Empty.SetTool("fs", LockedTool.Create(Tool("read", "Reads.\u200B\u202Eevil"), "alice", At));

        var text = CatalogLockFile.Serialize(lockValue);

        Assert.Contains("\\u200B\\u202Eevil", text, StringComparison.Ordinal);
        Assert.Equal(lockValue.Servers["fs"].Tools["read"].Hash, CatalogLockFile.Parse(text).Servers["fs"].Tools["read"].Hash);
    }

    [Fact]
    public void Save_and_load_through_a_file()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"lock-{Guid.NewGuid():N}.json");
        try
        {
            CatalogLockFile.Save(Sample(), path, Key);
            var loaded = CatalogLockFile.Load(path, Key);

            Assert.Equal(CatalogLockFile.Serialize(Sample(), Key), File.ReadAllText(path));
            Assert.Equal(3, loaded.Servers.Values.Sum(s => s.Tools.Count));
            Assert.Empty(Directory.GetFiles(System.IO.Path.GetDirectoryName(path)!, System.IO.Path.GetFileName(path) + ".*.tmp"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Merge_is_a_union_where_the_later_approval_of_a_tool_wins()
    {
        var ours = CatalogLock.Empty
            .SetTool("fs", LockedTool.Create(Tool("read", "Old."), "alice", At))
            .SetTool("fs", LockedTool.Create(Tool("only_ours"), "alice", At));
        var theirs = CatalogLock.Empty
            .SetTool("fs", LockedTool.Create(Tool("read", "New."), "bob", At.AddHours(1)))
            .SetTool("web", LockedTool.Create(Tool("fetch"), "bob", At));

        var merged = ours.Merge(theirs);

        Assert.Equal(["only_ours", "read"], merged.Servers["fs"].Tools.Keys);
        Assert.Equal("bob", merged.Servers["fs"].Tools["read"].ApprovedBy);
        Assert.Equal("New.", merged.Servers["fs"].Tools["read"].ToTool().Description);
        Assert.True(merged.TryGetTool("web", "fetch", out _));
        Assert.Equal(CatalogLockFile.Serialize(merged), CatalogLockFile.Serialize(theirs.Merge(ours)));
    }

    [Fact]
    public void Merge_of_simultaneous_conflicting_approvals_is_commutative()
    {
        var a = CatalogLock.Empty.SetTool("fs", LockedTool.Create(Tool("read", "A."), "alice", At)).SetInstructions("fs", new LockedHash(new string('a', 64), "alice", At));
        var b = CatalogLock.Empty.SetTool("fs", LockedTool.Create(Tool("read", "B."), "bob", At)).SetInstructions("fs", new LockedHash(new string('b', 64), "bob", At));

        Assert.Equal(CatalogLockFile.Serialize(a.Merge(b)), CatalogLockFile.Serialize(b.Merge(a)));
        Assert.Equal(new string('b', 64), a.Merge(b).Servers["fs"].Instructions!.Hash);
    }

    [Fact]
    public void Signed_file_verifies_and_survives_reformatting()
    {
        var text = CatalogLockFile.Serialize(Sample(), Key);
        var compact = JsonNode.Parse(text)!.ToJsonString();
        var reordered = Reorder(JsonNode.Parse(text)!);

        Assert.Equal(3, CatalogLockFile.Parse(text, Key).Servers.Values.Sum(s => s.Tools.Count));
        Assert.Equal(3, CatalogLockFile.Parse(compact, Key).Servers.Values.Sum(s => s.Tools.Count));
        Assert.Equal(3, CatalogLockFile.Parse(reordered, Key).Servers.Values.Sum(s => s.Tools.Count));
    }

    public static TheoryData<string, string> Tampering() => new()
    {
        { "approver changed", "$.servers.fs.tools.read_file.approvedBy=\"mallory\"" },
        { "approval time changed", "$.servers.fs.tools.read_file.approvedAt=\"2030-01-01T00:00:00Z\"" },
        { "tool removed", "-$.servers.fs.tools.list_dir" },
        { "server removed", "-$.servers.web" },
        { "instructions removed", "-$.servers.fs.instructions" },
        { "instructions hash swapped", "$.servers.fs.instructions.hash=\"" + new string('0', 64) + "\"" },
        { "tool added", "+tool" },
        { "tool moved to another server", "+moved" },
        { "signature removed", "-$.signature" },
        { "signature value of another key", "$.signature.value=other" },
        { "signature value flipped", "$.signature.value=flip" },
        { "signature value not hex", "$.signature.value=\"zz\"" },
        { "algorithm none", "$.signature.algorithm=\"none\"" },
        { "algorithm lower case", "$.signature.algorithm=\"hmac-sha256\"" },
        { "key id of another key", "$.signature.keyId=\"prod\"" },
        { "extra member", "$.comment=\"trust me\"" },
        { "definition and hash replaced consistently", "+rehashed" },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public void Tampered_signed_file_is_rejected_with_a_clear_error(string name, string edit)
    {
        var node = JsonNode.Parse(CatalogLockFile.Serialize(Sample(), Key))!;
        Apply(node, edit);

        var error = Assert.Throws<CatalogLockException>(() => CatalogLockFile.Parse(node.ToJsonString(), Key));

        Assert.False(string.IsNullOrEmpty(error.Location), name);
        Assert.StartsWith(error.Location + ": ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tampered_content_is_rejected_for_its_signature()
    {
        var node = JsonNode.Parse(CatalogLockFile.Serialize(Sample(), Key))!;
        node["servers"]!["fs"]!["tools"]!["read_file"]!["approvedBy"] = "mallory";

        var error = Assert.Throws<CatalogLockException>(() => CatalogLockFile.Parse(node.ToJsonString(), Key));

        Assert.Equal("$.signature.value", error.Location);
        Assert.Contains("changed after it was signed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsigned_file_is_rejected_when_the_host_has_a_key_and_read_when_not()
    {
        var text = CatalogLockFile.Serialize(Sample());

        var error = Assert.Throws<CatalogLockException>(() => CatalogLockFile.Parse(text, Key));

        Assert.Equal("$.signature", error.Location);
        Assert.Contains("not signed", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, CatalogLockFile.Parse(text).Servers.Count);
    }

    [Fact]
    public void Signing_keys_shorter_than_32_bytes_are_refused()
        => Assert.Throws<ArgumentException>(() => new CatalogLockSigningKey(new byte[31]));

    public static TheoryData<string, string, string> Malformed() => new()
    {
        { "not json", "{ \"version\": 1, ", "line 1" },
        { "trailing garbage", "{\"version\":1,\"servers\":{}} x", "line 1" },
        { "array", "[]", "$" },
        { "repeated member", "{\"version\":1,\"servers\":{},\"servers\":{}}", "$" },
        { "no version", "{\"servers\":{}}", "$.version" },
        { "version 2", "{\"version\":2,\"servers\":{}}", "$.version" },
        { "no servers", "{\"version\":1}", "$.servers" },
        { "servers array", "{\"version\":1,\"servers\":[]}", "$.servers" },
        { "server id with slash", "{\"version\":1,\"servers\":{\"a/b\":{\"tools\":{}}}}", "$.servers[\"a/b\"]" },
        { "unknown server member", "{\"version\":1,\"servers\":{\"fs\":{\"tools\":{},\"tool\":{}}}}", "$.servers.fs.tool" },
        { "no tools", "{\"version\":1,\"servers\":{\"fs\":{}}}", "$.servers.fs.tools" },
        { "tool not object", "{\"version\":1,\"servers\":{\"fs\":{\"tools\":{\"read\":1}}}}", "$.servers.fs.tools.read" },
        { "bad hash", "{\"version\":1,\"servers\":{\"fs\":{\"tools\":{\"read\":{\"hash\":\"ABC\",\"approvedBy\":\"a\",\"approvedAt\":\"2026-01-01T00:00:00Z\",\"definition\":{\"name\":\"read\"}}}}}}", "$.servers.fs.tools.read.hash" },
        { "time without offset", "{\"version\":1,\"servers\":{\"fs\":{\"tools\":{\"read\":{\"hash\":\"" + new string('a', 64) + "\",\"approvedBy\":\"a\",\"approvedAt\":\"2026-01-01T00:00:00\",\"definition\":{\"name\":\"read\"}}}}}}", "$.servers.fs.tools.read.approvedAt" },
        { "empty approver", "{\"version\":1,\"servers\":{\"fs\":{\"tools\":{\"read\":{\"hash\":\"" + new string('a', 64) + "\",\"approvedBy\":\" \",\"approvedAt\":\"2026-01-01T00:00:00Z\",\"definition\":{\"name\":\"read\"}}}}}}", "$.servers.fs.tools.read.approvedBy" },
        { "hash of another definition", "{\"version\":1,\"servers\":{\"fs\":{\"tools\":{\"read\":{\"hash\":\"" + new string('a', 64) + "\",\"approvedBy\":\"a\",\"approvedAt\":\"2026-01-01T00:00:00Z\",\"definition\":{\"name\":\"read\"}}}}}}", "$.servers.fs.tools.read" },
        { "definition not object", "{\"version\":1,\"servers\":{\"fs\":{\"tools\":{\"read\":{\"hash\":\"" + new string('a', 64) + "\",\"approvedBy\":\"a\",\"approvedAt\":\"2026-01-01T00:00:00Z\",\"definition\":\"read\"}}}}}", "$.servers.fs.tools.read.definition" },
        { "bad instructions", "{\"version\":1,\"servers\":{\"fs\":{\"tools\":{},\"instructions\":\"x\"}}}", "$.servers.fs.instructions" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_file_is_rejected_naming_the_place(string name, string json, string location)
    {
        var error = Assert.Throws<CatalogLockException>(() => CatalogLockFile.Parse(json));

        Assert.True(error.Location.StartsWith(location, StringComparison.Ordinal), $"{name}: {error.Location}: {error.Message}");
    }

    [Fact]
    public void Tool_filed_under_another_name_is_rejected()
    {
        var node = JsonNode.Parse(CatalogLockFile.Serialize(Sample()))!;
        var tools = node["servers"]!["fs"]!["tools"]!.AsObject();
        var entry = tools["read_file"]!.DeepClone();
        tools.Remove("read_file");
        tools["write_file"] = entry;

        var error = Assert.Throws<CatalogLockException>(() => CatalogLockFile.Parse(node.ToJsonString()));

        Assert.Equal("$.servers.fs.tools.write_file.definition.name", error.Location);
    }

    [Fact]
    public void Hand_edited_definition_is_rejected_even_without_a_key()
    {
        var node = JsonNode.Parse(CatalogLockFile.Serialize(Sample()))!;
        node["servers"]!["fs"]!["tools"]!["read_file"]!["definition"]!["description"] = "Reads any file, including ~/.ssh.";

        var error = Assert.Throws<CatalogLockException>(() => CatalogLockFile.Parse(node.ToJsonString()));

        Assert.Equal("$.servers.fs.tools.read_file", error.Location);
        Assert.Contains("does not match the definition", error.Message, StringComparison.Ordinal);
    }

    private static void Apply(JsonNode root, string edit)
    {
        switch (edit)
        {
            case "+tool":
                var tools = root["servers"]!["fs"]!["tools"]!.AsObject();
                var extra = LockedTool.Create(Tool("write_file", "Writes."), "alice", At);
                tools["write_file"] = JsonNode.Parse(CatalogLockFile.Serialize(CatalogLock.Empty.SetTool("x", extra)))!["servers"]!["x"]!["tools"]!["write_file"]!.DeepClone();
                return;
            case "+moved":
                var moved = root["servers"]!["fs"]!["tools"]!["read_file"]!.DeepClone();
                root["servers"]!["web"]!["tools"]!.AsObject()["read_file"] = moved;
                return;
            case "+rehashed":
                var rehashed = LockedTool.Create(Tool("read_file", "Reads a file, then uploads it."), "alice", At);
                root["servers"]!["fs"]!["tools"]!["read_file"] = JsonNode.Parse(CatalogLockFile.Serialize(CatalogLock.Empty.SetTool("x", rehashed)))!["servers"]!["x"]!["tools"]!["read_file"]!.DeepClone();
                return;
        }

        var remove = edit.StartsWith('-');
        var (path, value) = remove ? (edit[1..], null) : (edit[..edit.IndexOf('=', StringComparison.Ordinal)], edit[(edit.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        var parts = path.Split('.')[1..];
        var parent = root;
        foreach (var part in parts[..^1])
        {
            parent = parent[part]!;
        }

        if (remove)
        {
            parent.AsObject().Remove(parts[^1]);
            return;
        }

        var current = parent[parts[^1]]?.GetValue<string>();
        parent[parts[^1]] = value switch
        {
            "other" => Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(new byte[32], "x"u8)),
            "flip" => (current![0] == '0' ? "1" : "0") + current[1..],
            _ => JsonNode.Parse(value!),
        };
    }

    private static string Reorder(JsonNode node)
    {
        static JsonNode? Flip(JsonNode? n) => n switch
        {
            JsonObject o => new JsonObject(o.Reverse().Select(p => KeyValuePair.Create(p.Key, Flip(p.Value)))),
            JsonArray a => new JsonArray(a.Select(Flip).ToArray()),
            _ => n?.DeepClone(),
        };

        return Flip(node)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
