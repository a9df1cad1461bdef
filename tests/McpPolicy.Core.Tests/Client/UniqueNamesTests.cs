using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using McpPolicy.Client;
using McpPolicy.Json;

namespace McpPolicy.Core.Tests.Client;

/// <summary>
/// The walk that lets the gate hold an immutable parsed element as its copy instead of parsing it again strictly: it must never call
/// "unique" what a strict parse refuses, nor "repeated" what it accepts; what it cannot judge on bytes it leaves to the strict parse.
/// </summary>
public sealed class UniqueNamesTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { """{}""", "Unique" },
        { """[]""", "Unique" },
        { """{"a":1,"b":2,"ab":3,"A":4}""", "Unique" },
        { """{"a":1,"a":2}""", "Repeated" },
        { """{"a":1,"b":{"c":1,"c":2}}""", "Repeated" },
        { """{"a":[1,{"x":1},{"x":1,"x":2}]}""", "Repeated" },
        { """[[{"k":null,"k":null}]]""", "Repeated" },
        { """{"a":{"x":1},"b":{"x":1}}""", "Unique" },
        { """{"é":1,"e\u0301":2,"è":3}""", "Undecided" },
        { """{"é":1,"è":2}""", "Unique" },
        { """{"é":1,"é":2}""", "Repeated" },
        { """{"a":1,"\u0061":2}""", "Undecided" },
        { """{"a\"b":1}""", "Undecided" },
        { """{"x":"\u0061","y":"a\\b"}""", "Unique" },
        { """{"":1,"":2}""", "Repeated" },
        { """{"":1," ":2}""", "Unique" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Names_are_judged_on_their_bytes_and_escaped_ones_are_left_to_the_strict_parse(string json, string expected)
    {
        using var document = JsonDocument.Parse(json);
        using var wrapped = JsonDocument.Parse("[1,{\"pad\":[true]}," + json + "]");
        var inner = wrapped.RootElement[2];

        Assert.True(JsonRows.IsAvailable, "the document's rows cannot be read on this runtime, so only one of the two walks is tested");
        Assert.Equal(Enum.Parse<UniqueNames.Verdict>(expected), UniqueNames.Check(document.RootElement));
        Assert.Equal(Enum.Parse<UniqueNames.Verdict>(expected), UniqueNames.Check(document.RootElement, useRows: false));
        Assert.Equal(Enum.Parse<UniqueNames.Verdict>(expected), UniqueNames.Check(inner));
        Assert.Equal(Enum.Parse<UniqueNames.Verdict>(expected), UniqueNames.Check(inner, useRows: false));
    }

    [Fact]
    public void A_verdict_on_rows_of_a_document_disposed_meanwhile_does_not_stand()
    {
        var document = JsonDocument.Parse("""{"a":1,"a":2}""");
        var element = document.RootElement;
        Assert.True(JsonRows.TryOpen(element, out var rows, out _));
        document.Dispose();

        // Reused by another document, the rented table could say anything: the walk's verdict is withdrawn.
        Assert.Equal(UniqueNames.Verdict.Undecided, UniqueNames.CurrentVerdict(rows, UniqueNames.Verdict.Repeated));
        Assert.Throws<ObjectDisposedException>(() => UniqueNames.Check(element));
    }

    [Fact]
    public void The_params_members_are_the_same_on_rows_and_on_the_public_api()
    {
        const string Json = """{"_meta":{"k":[{"a":1}]},"name":"echo","other":2,"arguments":{"text":"hi","n":[1,2]}}""";
        using var document = JsonDocument.Parse(Json);

        Assert.Equal(UniqueNames.Verdict.Unique, UniqueNames.CheckParams(document.RootElement, out var onRows, useRows: true));
        Assert.Equal(UniqueNames.Verdict.Unique, UniqueNames.CheckParams(document.RootElement, out var onApi, useRows: false));
        Assert.Equal("echo", onRows.Name.GetString());
        Assert.Equal("""{"text":"hi","n":[1,2]}""", onRows.Arguments.GetRawText());
        Assert.Equal("""{"k":[{"a":1}]}""", onRows.Meta.GetRawText());
        Assert.Equal(onApi.Name.GetRawText(), onRows.Name.GetRawText());
        Assert.Equal(onApi.Arguments.GetRawText(), onRows.Arguments.GetRawText());
        Assert.Equal(onApi.Meta.GetRawText(), onRows.Meta.GetRawText());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Large_objects_and_deep_nesting_are_left_to_the_strict_parse(bool useRows)
    {
        var many = "{" + string.Join(",", Enumerable.Range(0, UniqueNames.MaxNames + 1).Select(i => $"\"p{i}\":{i}")) + "}";
        var deep = new string('[', UniqueNames.MaxDepth) + "{\"a\":1,\"a\":2}" + new string(']', UniqueNames.MaxDepth);
        var shallowRepeat = "{\"a\":1,\"a\":2,\"b\":" + new string('[', UniqueNames.MaxDepth + 5) + new string(']', UniqueNames.MaxDepth + 5) + "}";

        Assert.Equal(UniqueNames.Verdict.Undecided, UniqueNames.Check(JsonElement.Parse(many), useRows));
        Assert.Equal(UniqueNames.Verdict.Undecided, UniqueNames.Check(JsonElement.Parse(deep), useRows));
        Assert.Equal(UniqueNames.Verdict.Repeated, UniqueNames.Check(JsonElement.Parse(shallowRepeat), useRows));
    }

    [Fact]
    public void The_walk_never_contradicts_a_strict_parse()
    {
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(1000),
            Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
            {
                var json = RandomValue(new Random(seed), 0);
                var element = JsonElement.Parse(json);
                var verdict = UniqueNames.Check(element);
                var strict = ToolCallReaderTests.IsStrict(json);

                // The walk on the document's rows and the walk on the public API ask the same questions in the same order.
                Assert.Equal(UniqueNames.Check(element, useRows: false), verdict);

                Assert.False(verdict == UniqueNames.Verdict.Unique && !strict, $"called unique, refused by a strict parse: {json}");
                Assert.False(verdict == UniqueNames.Verdict.Repeated && strict, $"called repeated, accepted by a strict parse: {json}");
            }));
    }

    [Fact]
    public void Tool_calls_from_parsed_params_are_refused_exactly_when_a_strict_parse_refuses_them()
    {
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(500),
            Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
            {
                var random = new Random(seed);
                var json = $$"""{"name":"echo","arguments":{{RandomObject(random, 0)}},"_meta":{{RandomObject(random, 1)}}}""";

                var status = ToolCallReader.Read(JsonNode.Parse(json), out var call);

                Assert.Equal(ToolCallReaderTests.IsStrict(json) ? ToolCallReadStatus.Ok : ToolCallReadStatus.Ambiguous, status);
                if (status == ToolCallReadStatus.Ok)
                {
                    Assert.True(JsonElement.DeepEquals(JsonElement.Parse(json).GetProperty("arguments"), call.Arguments), json);
                }
            }));
    }

    [Fact]
    public void Params_whose_document_rents_its_buffers_are_copied_so_disposing_it_changes_nothing_that_is_sent()
    {
        const string Json = """{"name":"echo","arguments":{"text":"hello","opts":{"n":1}},"_meta":{"io.mcppolicy/conversationId":"c1"}}""";
        var document = JsonDocument.Parse(Json);
        var parameters = JsonObject.Create(document.RootElement)!;

        Assert.Equal(ToolCallReadStatus.Ok, ToolCallReader.Read(parameters, out var call));
        document.Dispose();

        Assert.Equal("echo", call.Name);
        Assert.Equal("c1", call.ConversationId);
        Assert.Equal("hello", call.Arguments.GetProperty("text").GetString());
        Assert.True(JsonElement.DeepEquals(JsonElement.Parse(Json), JsonElement.Parse(call.Parameters.ToJsonString())));
    }

    [Fact]
    public void Arguments_whose_document_rents_its_buffers_are_copied_under_params_built_as_nodes()
    {
        var document = JsonDocument.Parse("""{"text":"hello"}""");
        var parameters = new JsonObject { ["name"] = "echo", ["arguments"] = JsonObject.Create(document.RootElement) };

        Assert.Equal(ToolCallReadStatus.Ok, ToolCallReader.Read(parameters, out var call));
        document.Dispose();

        Assert.Equal("hello", call.Arguments.GetProperty("text").GetString());
        Assert.Equal("""{"name":"echo","arguments":{"text":"hello"}}""", call.Parameters.ToJsonString());
    }

    [Theory]
    [InlineData("""{"a":1,"\u0061":2}""")]
    [InlineData("""{"x":{"b":1,"\u0062":2}}""")]
    [InlineData("""{"x":[{"b":1,"\u0062":2}]}""")]
    public void Argument_names_repeated_through_escapes_are_refused_in_parsed_params_and_in_params_built_as_nodes(string arguments)
    {
        var parsed = JsonNode.Parse($$"""{"name":"echo","arguments":{{arguments}}}""");
        var built = new JsonObject { ["name"] = "echo", ["arguments"] = JsonNode.Parse(arguments) };

        Assert.Equal(ToolCallReadStatus.Ambiguous, ToolCallReader.Read(parsed, out _));
        Assert.Equal(ToolCallReadStatus.Ambiguous, ToolCallReader.Read(built, out _));
    }

    [Fact]
    public void A_tool_name_repeated_through_an_escape_is_refused()
    {
        Assert.Equal(ToolCallReadStatus.Ambiguous, ToolCallReader.Read(JsonNode.Parse("""{"name":"echo","\u006eame":"delete_all","arguments":{}}"""), out _));
    }

    [Fact]
    public void A_name_repeated_below_the_walks_depth_is_refused_by_the_strict_parse()
    {
        var nested = new string('[', UniqueNames.MaxDepth + 3) + "{\"a\":1,\"a\":2}" + new string(']', UniqueNames.MaxDepth + 3);
        var json = "{\"name\":\"echo\",\"arguments\":{\"deep\":" + nested + "}}";

        Assert.Equal(ToolCallReadStatus.Ambiguous, ToolCallReader.Read(JsonNode.Parse(json), out _));
    }

    private static readonly string[] Names = ["a", "b", "ab", "\\u0061", "\\u0062", "é", "\\u00e9", "", "a\\\"", "\\n"];

    private static string RandomValue(Random random, int depth)
        => (depth > 6 ? 3 : random.Next(5)) switch
        {
            0 => RandomObject(random, depth),
            1 => "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(random, depth + 1))) + "]",
            2 => "\"" + Names[random.Next(Names.Length)] + "\"",
            3 => random.Next(100).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => "null",
        };

    private static string RandomObject(Random random, int depth)
    {
        var text = new StringBuilder("{");
        var count = random.Next(depth == 0 ? 6 : 4);
        for (var i = 0; i < count; i++)
        {
            text.Append(i == 0 ? "" : ",").Append('"').Append(Names[random.Next(Names.Length)]).Append("\":").Append(RandomValue(random, depth + 1));
        }

        return text.Append('}').ToString();
    }
}
