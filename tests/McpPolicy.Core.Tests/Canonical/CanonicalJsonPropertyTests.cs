using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;

namespace McpPolicy.Core.Tests.Canonical;

public sealed class CanonicalJsonPropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300);

    private static Arbitrary<(JsonModel Value, int SeedA, int SeedB)> Cases =>
        JsonModel.Generator
            .SelectMany(value => ArbMap.Default.GeneratorFor<int>().Two().Select(seeds => (value, seeds.Item1, seeds.Item2)))
            .ToArbitrary();

    [Fact]
    public void Canonical_form_does_not_depend_on_member_order_whitespace_escapes_or_number_spelling()
    {
        Check.One(Config, Prop.ForAll(Cases, c =>
        {
            var a = CanonicalJson.Serialize(Parse(c.Value.Render(new Random(c.SeedA))));
            var b = CanonicalJson.Serialize(Parse(c.Value.Render(new Random(c.SeedB))));
            return a.AsSpan().SequenceEqual(b);
        }));
    }

    [Fact]
    public void Canonicalizing_canonical_json_gives_the_same_bytes()
    {
        Check.One(Config, Prop.ForAll(Cases, c =>
        {
            var once = CanonicalJson.Serialize(Parse(c.Value.Render(new Random(c.SeedA))));
            var twice = CanonicalJson.Serialize(Parse(once));
            return once.AsSpan().SequenceEqual(twice);
        }));
    }

    [Fact]
    public void Canonical_form_is_strict_json_that_means_the_same_value()
    {
        Check.One(Config, Prop.ForAll(Cases, c =>
        {
            var original = Parse(c.Value.Render(new Random(c.SeedA)));
            var canonical = CanonicalJson.Serialize(original);
            var text = Encoding.UTF8.GetString(canonical);

            // Valid UTF-8 that a strict reader accepts, with no insignificant whitespace outside strings, equal in value.
            using var reparsed = JsonDocument.Parse(canonical, new JsonDocumentOptions { AllowDuplicateProperties = false });
            return Encoding.UTF8.GetBytes(text).AsSpan().SequenceEqual(canonical)
                && SameValue(original, reparsed.RootElement);
        }));
    }

    [Fact]
    public void Sha256_is_invariant_to_spelling()
    {
        Check.One(Config, Prop.ForAll(Cases, c =>
            CanonicalJson.Sha256(Parse(c.Value.Render(new Random(c.SeedA))))
            == CanonicalJson.Sha256(Parse(c.Value.Render(new Random(c.SeedB))))));
    }

    private static JsonElement Parse(string json) => CanonicalJsonTests.Parse(json);

    private static JsonElement Parse(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static bool SameValue(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var bMembers = b.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
                var aCount = 0;
                foreach (var property in a.EnumerateObject())
                {
                    aCount++;
                    if (!bMembers.TryGetValue(property.Name, out var other) || !SameValue(property.Value, other))
                    {
                        return false;
                    }
                }

                return aCount == bMembers.Count;
            case JsonValueKind.Array:
                return a.GetArrayLength() == b.GetArrayLength()
                    && a.EnumerateArray().Zip(b.EnumerateArray()).All(pair => SameValue(pair.First, pair.Second));
            case JsonValueKind.String:
                return a.GetString() == b.GetString();
            case JsonValueKind.Number:
                return a.GetDouble() == b.GetDouble();
            default:
                return true;
        }
    }
}
