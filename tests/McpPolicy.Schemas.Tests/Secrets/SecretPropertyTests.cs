using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using static McpPolicy.Schemas.Tests.Secrets.SecretSamples;

namespace McpPolicy.Schemas.Tests.Secrets;

public sealed class SecretPropertyTests
{
    private const int Cases = 300;

    private static readonly SecretArgumentsRule DefaultRule = Rule();

    private static readonly string[] Keys = ["a", "b", "data", "items", "config", "headers", "payload", "x1", "list", "value"];
    private static readonly string[] Words = ["hello", "world", "deploy", "the", "report", "2024", "ok", "out/report.txt", "https://example.com/a?b=c", "Done."];

    private static readonly JsonSerializerOptions PlainJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static void Holds<T>(Gen<T> gen, Func<T, bool> property)
        => Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases), Prop.ForAll(gen.ToArbitrary(), property));

    /// <summary>A step from a container to a child: a key of an object, or a position in an array.</summary>
    private sealed record Step(string? Key, int Index);

    /// <summary>An argument object with <paramref name="leaf"/> planted at the end of a random path, among random siblings.</summary>
    private sealed record Planted(JsonObject Arguments, string Leaf)
    {
        public override string ToString() => Arguments.ToJsonString();
    }

    private static readonly Gen<JsonNode?> Filler = Gen.OneOf(
        Gen.Elements(Words).Select(w => (JsonNode?)JsonValue.Create(w)),
        Gen.Choose(-1000, 1000).Select(n => (JsonNode?)JsonValue.Create(n)),
        Gen.Elements(true, false).Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Constant<JsonNode?>(null));

    private static readonly Gen<Step[]> Path =
        from length in Gen.Choose(0, 5)
        from steps in Gen.ArrayOf(
            Gen.OneOf(Gen.Elements(Keys).Select(k => new Step(k, -1)), Gen.Choose(0, 3).Select(i => new Step(null, i))), length)
        from first in Gen.Elements(Keys)
        select new[] { new Step(first, -1) }.Concat(steps).ToArray();

    private static Gen<Planted> PlantedIn(Gen<string> leaves) =>
        from path in Path
        from leaf in leaves
        from siblings in Gen.ArrayOf(Filler, 4)
        select new Planted(Build(path, leaf, siblings), leaf);

    private static JsonObject Build(Step[] path, string leaf, JsonNode?[] siblings)
    {
        JsonNode node = JsonValue.Create(leaf);
        for (var i = path.Length - 1; i >= 1; i--)
        {
            var step = path[i];
            if (step.Key is { } key)
            {
                var obj = new JsonObject { ["before"] = siblings[i % siblings.Length]?.DeepClone(), [key] = node };
                node = obj;
            }
            else
            {
                var array = new JsonArray();
                for (var k = 0; k < step.Index; k++)
                {
                    array.Add(siblings[(i + k) % siblings.Length]?.DeepClone());
                }

                array.Add(node);
                node = array;
            }
        }

        return new JsonObject { ["zeroth"] = siblings[0]?.DeepClone(), [path[0].Key!] = node, ["last"] = siblings[^1]?.DeepClone() };
    }

    private static ToolInvocationContext CallOf(JsonObject arguments) => Call(arguments);

    private static readonly Gen<SecretSample> PlantedSecret =
        from seed in Gen.Choose(0, int.MaxValue - 1)
        from pick in Gen.Choose(0, 1000)
        let samples = All(new Random(seed))
        select samples[pick % samples.Count];

    private static readonly Gen<(SecretSample Sample, string Prefix, string Suffix)> SecretInText =
        from sample in PlantedSecret
        from prefix in Gen.Elements("", "note: ", "see below\n", "x ")
        from suffix in Gen.Elements("", " thanks", "\n-- end", ".")
        select (sample, prefix, suffix);

    [Fact]
    public void Planted_secret_of_a_known_format_anywhere_raises_without_echoing_it()
    {
        var gen =
            from s in SecretInText
            from planted in PlantedIn(Gen.Constant(s.Prefix + s.Sample.Text + s.Suffix))
            select (s.Sample, planted);

        Holds(gen, x =>
        {
            var verdict = DefaultRule.Evaluate(CallOf(x.planted.Arguments));
            return verdict.HasOpinion
                && verdict.Risk == RiskLevel.High
                && !verdict.Reason!.Contains(x.Sample.Secret, StringComparison.Ordinal)
                && !Echoes(verdict.Reason, x.Sample.Secret);
        });
    }

    [Fact]
    public void Planted_secret_is_found_whether_the_json_is_escaped_or_plain()
    {
        var gen =
            from s in PlantedSecret
            from planted in PlantedIn(Gen.Constant(s.Text))
            select planted;

        Holds(gen, planted =>
        {
            var escaped = DefaultRule.Evaluate(CallOf(planted.Arguments));
            var plain = DefaultRule.Evaluate(Parsed(planted.Arguments.ToJsonString(PlainJson)));
            return escaped.HasOpinion && escaped == plain;
        });
    }

    private static readonly Gen<string> ShortAlphanumeric =
        from length in Gen.Choose(0, 19)
        from chars in Gen.ArrayOf(Gen.Elements(Alnum.ToCharArray()), length)
        select new string(chars);

    [Fact]
    public void Random_alphanumeric_text_shorter_than_20_characters_never_fires()
    {
        var gen =
            from planted in PlantedIn(ShortAlphanumeric)
            from name in ShortAlphanumeric.Where(n => n.Length > 0)
            select (planted, name);

        Holds(gen, x =>
        {
            x.planted.Arguments[x.name] = x.planted.Leaf;
            var verdict = DefaultRule.Evaluate(CallOf(x.planted.Arguments));
            return !verdict.HasOpinion;
        });
    }

    [Fact]
    public void Random_alphanumeric_text_shorter_than_20_characters_never_fires_even_as_a_secret_named_value()
    {
        var gen =
            from value in ShortAlphanumeric
            from name in Gen.Elements("text", "note", "id", "code", "label")
            select (name, value);

        Holds(gen, x => !DefaultRule.Evaluate(Call(new Dictionary<string, object?> { [x.name] = x.value })).HasOpinion);
    }

    [Fact]
    public void Verdict_is_the_same_on_every_evaluation()
    {
        var gen =
            from s in PlantedSecret
            from useSecret in Gen.Elements(true, false)
            from planted in PlantedIn(useSecret ? Gen.Constant(s.Text) : Gen.Elements(Words))
            select planted;

        Holds(gen, planted =>
        {
            var call = CallOf(planted.Arguments);
            return DefaultRule.Evaluate(call) == DefaultRule.Evaluate(call);
        });
    }
}
