using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;

namespace McpPolicy.Schemas.Tests.Validation;

public sealed class ValidationPropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300);

    private static readonly string[] Schemas =
    [
        """
        {"type":"object","properties":{"a":{"type":"string","maxLength":3,"pattern":"^[a-z]"},"b":{"type":"integer","minimum":0,"multipleOf":0.5},
         "c":{"type":"array","uniqueItems":true,"items":{"type":["string","number","null"]},"maxItems":4}},
         "additionalProperties":{"type":["boolean","object"]},"propertyNames":{"maxLength":2},"minProperties":1,"required":["a"]}
        """,
        """{"anyOf":[{"type":"array","contains":{"const":1.0}},{"enum":["é","a/b",{"x":[1,2]},null,true]},{"type":"object","unevaluatedProperties":false,"properties":{"é":true}}]}""",
        """{"oneOf":[{"minimum":0},{"multipleOf":3}],"not":{"type":"string","minLength":2},"if":{"type":"object"},"then":{"dependentRequired":{"a":["b"]},"additionalProperties":{"$ref":"#"}}}""",
        """{"$defs":{"node":{"type":["object","array","string","number","boolean","null"],"items":{"$ref":"#/$defs/node"},"additionalProperties":{"$ref":"#/$defs/node"},"maxLength":4}},"$ref":"#/$defs/node"}""",
    ];

    // No time limit: the properties compare two validations of equal instances, and a wall-clock limit would make the outcome
    // depend on how busy the machine is (the limit has its own tests with a manual clock).
    private static readonly JsonSchemaOptions Untimed = new() { ValidationTimeout = Timeout.InfiniteTimeSpan };

    private static readonly Lazy<JsonSchemaValidator[]> Validators = new(() => Schemas.Select(s => Json.Validator(s, Untimed)).ToArray());

    private static Arbitrary<(JsonValue Value, int SeedA, int SeedB)> Cases =>
        JsonValue.Generator
            .SelectMany(value => ArbMap.Default.GeneratorFor<int>().Two().Select(seeds => (value, seeds.Item1, seeds.Item2)))
            .ToArbitrary();

    [Fact]
    public void Validation_does_not_depend_on_how_the_instance_is_spelled()
    {
        Check.One(Config, Prop.ForAll(Cases, c =>
        {
            var a = Json.Parse(c.Value.Render(new Random(c.SeedA)));
            var b = Json.Parse(c.Value.Render(new Random(c.SeedB)));
            return Validators.Value.All(v => Outcome(v, a) == Outcome(v, b));
        }));
    }

    [Fact]
    public void Validation_is_stable_under_reserialization()
    {
        Check.One(Config, Prop.ForAll(Cases, c =>
        {
            var original = Json.Parse(c.Value.Render(new Random(c.SeedA)));
            var escaped = Reserialize(original, JavaScriptEncoder.Default, indented: true);
            var relaxed = Reserialize(original, JavaScriptEncoder.UnsafeRelaxedJsonEscaping, indented: false);
            return Validators.Value.All(v => Outcome(v, original) == Outcome(v, escaped) && Outcome(v, original) == Outcome(v, relaxed));
        }));
    }

    /// <summary>Validity plus the set of (instance location, keyword, schema location) — messages may quote values differently.</summary>
    private static string Outcome(JsonSchemaValidator validator, JsonElement instance)
    {
        var result = validator.Validate(instance);
        Assert.Equal(result.IsValid, validator.IsValid(instance));
        return result.IsValid + ":" + string.Join(";", result.Errors.Select(e => e.InstanceLocation + " " + e.Keyword + " " + e.SchemaLocation).Order(StringComparer.Ordinal));
    }

    private static JsonElement Reserialize(JsonElement value, JavaScriptEncoder encoder, bool indented)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = encoder, Indented = indented }))
        {
            value.WriteTo(writer);
        }

        return Json.Parse(Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>A generated JSON value, rendered with random member order, whitespace, escapes and number spellings.</summary>
    internal abstract record JsonValue
    {
        private static readonly string[] Names = ["a", "b", "c", "é", "a/b", "x~", "\"", "ab"];
        private static readonly string[] Strings = ["", "a", "ab", "abc", "abcd", "é", "Z9", "\U0001F600", "a\nb", "1", "\u0000"];

        public static Gen<JsonValue> Generator { get; } = Gen.Sized(size => Sized(Math.Min(size, 30)));

        public string Render(Random random)
        {
            var builder = new StringBuilder();
            Write(builder, random);
            return builder.ToString();
        }

        protected abstract void Write(StringBuilder builder, Random random);

        protected static void WriteString(StringBuilder builder, string value, Random random)
        {
            builder.Append('"');
            bool escapePair = false;
            foreach (char c in value)
            {
                // A surrogate pair is escaped as a whole or not at all.
                bool escape = char.IsLowSurrogate(c) ? escapePair : c is '"' or '\\' || c < 0x20 || random.Next(3) == 0;
                escapePair = char.IsHighSurrogate(c) && escape;
                if (escape)
                {
                    builder.Append("\\u").Append(((int)c).ToString(random.Next(2) == 0 ? "x4" : "X4", CultureInfo.InvariantCulture));
                }
                else
                {
                    builder.Append(c);
                }
            }

            builder.Append('"');
        }

        private static Gen<JsonValue> Sized(int size)
        {
            var leaf = Gen.OneOf(
                Gen.Constant<JsonValue>(new Literal("null")),
                Gen.Elements("true", "false").Select(b => (JsonValue)new Literal(b)),
                Gen.Choose(-20, 20).Select(i => (JsonValue)new Number(i / 2m)),
                Gen.Elements(Strings).Select(s => (JsonValue)new Text(s)));
            if (size <= 1)
            {
                return leaf;
            }

            var child = Gen.Sized(_ => Sized(size / 3));
            var array = Gen.Choose(0, 4).SelectMany(n => Gen.ListOf(child, n)).Select(items => (JsonValue)new Array([.. items]));
            var member = Gen.Elements(Names).SelectMany(name => child.Select(value => (name, value)));
            var obj = Gen.Choose(0, 4).SelectMany(n => Gen.ListOf(member, n)).Select(members =>
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                return (JsonValue)new Object(members.Where(m => seen.Add(m.name)).ToArray());
            });
            return Gen.Frequency((3, leaf), (1, array), (2, obj));
        }

        private sealed record Literal(string Value) : JsonValue
        {
            protected override void Write(StringBuilder builder, Random random) => builder.Append(Value);
        }

        private sealed record Number(decimal Value) : JsonValue
        {
            protected override void Write(StringBuilder builder, Random random)
            {
                // Equal values, different spellings: 1.5, 1.50, 15e-1, 0.15E1.
                builder.Append(random.Next(4) switch
                {
                    0 => Value.ToString(CultureInfo.InvariantCulture),
                    1 => Value.ToString("0.00", CultureInfo.InvariantCulture),
                    2 => (Value * 10).ToString("0", CultureInfo.InvariantCulture) + "e-1",
                    _ => (Value / 10).ToString("0.000", CultureInfo.InvariantCulture) + "E1",
                });
            }
        }

        private sealed record Text(string Value) : JsonValue
        {
            protected override void Write(StringBuilder builder, Random random) => WriteString(builder, Value, random);
        }

        private sealed record Array(JsonValue[] Items) : JsonValue
        {
            protected override void Write(StringBuilder builder, Random random)
            {
                builder.Append('[');
                for (int i = 0; i < Items.Length; i++)
                {
                    builder.Append(i > 0 ? "," : string.Empty).Append(random.Next(2) == 0 ? " " : string.Empty);
                    Items[i].Write(builder, random);
                }

                builder.Append(']');
            }
        }

        private sealed record Object((string Name, JsonValue Value)[] Members) : JsonValue
        {
            protected override void Write(StringBuilder builder, Random random)
            {
                var order = Members.ToArray();
                random.Shuffle(order);
                builder.Append('{');
                for (int i = 0; i < order.Length; i++)
                {
                    builder.Append(i > 0 ? "," : string.Empty).Append(random.Next(2) == 0 ? "\n  " : string.Empty);
                    WriteString(builder, order[i].Name, random);
                    builder.Append(':');
                    order[i].Value.Write(builder, random);
                }

                builder.Append('}');
            }
        }
    }
}
