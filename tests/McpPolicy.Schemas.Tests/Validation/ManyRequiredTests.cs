using System.Globalization;
using System.Text;
using McpPolicy.Schemas.Tests.Validation.Reference;

namespace McpPolicy.Schemas.Tests.Validation;

/// <summary>
/// <c>required</c> with many names (around the 64 names of one bit word, and far past it): the specialised pass and the
/// interpreter find them in one pass over the members, with the same verdicts and the same errors, in the same order, as a
/// lookup per listed name — for repeated names on either side, escaped and non-ASCII member names, both drafts.
/// </summary>
public sealed class ManyRequiredTests
{
    private const string Draft7 = "\"$schema\":\"http://json-schema.org/draft-07/schema#\",";

    /// <summary>What the instance leaves out or writes differently.</summary>
    public enum Shape
    {
        AllPresent,
        MissingFirst,
        MissingMiddle,
        MissingLast,
        MissingFirstAndLast,
        AllEscaped,
        EscapedMissingMiddle,
        RepeatedMembers,
        RepeatedMembersMissingLast,
        Empty,
    }

    public static TheoryData<int, Shape, bool, bool, bool> Cases
    {
        get
        {
            var data = new TheoryData<int, Shape, bool, bool, bool>();
            foreach (int count in new[] { 9, 63, 64, 65, 200, 1_000 })
            {
                foreach (var shape in Enum.GetValues<Shape>())
                {
                    // (declared properties, a repeated required list, non-ASCII names) in a few combinations.
                    data.Add(count, shape, false, false, false);
                    data.Add(count, shape, true, false, false);
                    data.Add(count, shape, true, true, false);
                    data.Add(count, shape, false, true, true);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Verdicts_and_errors_match_a_lookup_per_name(int count, Shape shape, bool declared, bool repeatedList, bool nonAscii)
    {
        string prefix = nonAscii ? "é" : "p";
        var listed = Enumerable.Range(0, count).Select(i => prefix + i.ToString(CultureInfo.InvariantCulture)).ToList();
        if (repeatedList)
        {
            listed.Add(listed[count / 2]);
            listed.Add(listed[^2]);
            listed.Insert(1, listed[0]);
        }

        var (instanceText, present) = Instance(count, prefix, shape);
        bool expected = listed.All(present.Contains);

        foreach (bool draft7 in new[] { false, true })
        {
            foreach (bool tracking in new[] { false, true })
            {
                string schemaText = Schema(listed, count, prefix, declared, draft7, tracking);
                var validator = Json.Validator(schemaText);

                // A list of up to 64 names next to properties/additionalProperties is checked by that keyword, which reports
                // a repeated name once; the required keyword itself reports each listing. Either stops at MaxErrors.
                bool merged = listed.Count <= 64 && (declared || !tracking || draft7);
                var expectedMissing = (merged ? listed.Distinct(StringComparer.Ordinal) : listed)
                    .Where(name => !present.Contains(name))
                    .Take(JsonSchemaOptions.Default.MaxErrors);
                var instance = Json.Parse(instanceText);

                Assert.Equal(expected, validator.IsValid(instance));
                var result = validator.Validate(instance);
                Assert.Equal(expected, result.IsValid);
                Assert.Equal(
                    expectedMissing.Select(name => "Value must have the required property '" + name + "'."),
                    result.Errors.Select(e => e.Message));
                Assert.All(result.Errors, e => Assert.Equal("required", e.Keyword));
                Assert.All(result.Errors, e => Assert.Equal("#/required", e.SchemaLocation));
                if (!draft7 && !tracking)
                {
                    Assert.Equal(expected, ReferenceValidator.IsValid(Json.Parse(schemaText), instance));
                }
            }
        }
    }

    [Theory]
    [InlineData(65)]
    [InlineData(300)]
    public void A_required_name_with_a_backslash_is_not_matched_by_its_raw_escape(int count)
    {
        var names = Enumerable.Range(0, count - 1).Select(i => "p" + i.ToString(CultureInfo.InvariantCulture)).Append("a\\nb").ToList();
        string schema = "{\"required\":[" + string.Join(',', names.Select(Quote)) + "]}";
        string members = string.Join(',', names.Take(count - 1).Select(n => Quote(n) + ":1"));
        var validator = Json.Validator(schema);

        // The member "a\nb" (a newline) is not the required "a\\nb" (a backslash); "a\\\\nb" written in JSON is.
        var wrong = Json.Parse("{" + members + ",\"a\\nb\":1}");
        var right = Json.Parse("{" + members + ",\"a\\\\nb\":1}");

        Assert.False(validator.IsValid(wrong));
        Assert.Equal(["Value must have the required property 'a\\nb'."], validator.Validate(wrong).Errors.Select(e => e.Message));
        Assert.True(validator.IsValid(right));
        Assert.True(validator.Validate(right).IsValid);
    }

    [Fact]
    public void Long_names_past_the_stack_buffer_are_found_escaped_or_not()
    {
        string longName = new('x', 400);
        var names = Enumerable.Range(0, 20).Select(i => longName + i.ToString(CultureInfo.InvariantCulture)).ToList();
        string schema = "{\"required\":[" + string.Join(',', names.Select(Quote)) + "],\"unevaluatedProperties\":{\"type\":\"integer\"}}";
        var validator = Json.Validator(schema);
        string Escaped(string name) => "\"\\u0078" + name[1..] + "\"";

        var all = Json.Parse("{" + string.Join(',', names.Select((n, i) => (i % 2 == 0 ? Escaped(n) : Quote(n)) + ":1")) + "}");
        var missing = Json.Parse("{" + string.Join(',', names.Skip(1).Select(n => Escaped(n) + ":1")) + "}");

        Assert.True(validator.IsValid(all));
        Assert.True(validator.Validate(all).IsValid);
        Assert.False(validator.IsValid(missing));
        Assert.Equal(["Value must have the required property '" + names[0] + "'."], validator.Validate(missing).Errors.Select(e => e.Message));
    }

    [Fact]
    public void Dependent_required_with_many_names_reports_each_missing_name_in_order()
    {
        var names = Enumerable.Range(0, 30).Select(i => "d" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        var validator = Json.Validator("{\"dependentRequired\":{\"t\":[" + string.Join(',', names.Select(Quote)) + "]}}");
        var instance = Json.Parse("{\"t\":1," + string.Join(',', names.Where((_, i) => i % 7 != 3).Select(n => Quote(n) + ":1")) + "}");

        Assert.False(validator.IsValid(instance));
        Assert.Equal(
            names.Where((_, i) => i % 7 == 3).Select(n => "Value must have the property '" + n + "' because it has 't'."),
            validator.Validate(instance).Errors.Select(e => e.Message));
        Assert.True(validator.IsValid(Json.Parse("{" + string.Join(',', names.Select(n => Quote(n) + ":1")) + "}")));
    }

    [Theory]
    [InlineData(200, false)]
    [InlineData(200, true)]
    [InlineData(3_000, false)]
    [InlineData(3_000, true)]
    public void Validating_a_valid_object_with_many_required_names_allocates_nothing(int count, bool tracking)
    {
        var names = Enumerable.Range(0, count).Select(i => "field" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        var validator = Json.Validator(Schema(names, count, "field", declared: true, draft7: false, tracking));
        var value = Json.Parse("{" + string.Join(',', names.Select(n => Quote(n) + ":1")) + "}");
        for (int i = 0; i < 20; i++)
        {
            Assert.True(validator.IsValid(value));
            Assert.True(validator.Validate(value).IsValid);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            validator.IsValid(value);
            validator.Validate(value);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// The schema: the listed names required; every third name declared (integer) when <paramref name="declared"/>, the
    /// rest integers too (through <c>additionalProperties</c>, or <c>unevaluatedProperties</c> when
    /// <paramref name="tracking"/>, which keeps the node in the interpreter).
    /// </summary>
    private static string Schema(IEnumerable<string> listed, int count, string prefix, bool declared, bool draft7, bool tracking)
    {
        var schema = new StringBuilder("{");
        if (draft7)
        {
            schema.Append(Draft7);
        }

        if (declared)
        {
            schema.Append("\"properties\":{")
                .AppendJoin(',', Enumerable.Range(0, count).Where(i => i % 3 == 0).Select(i => Quote(prefix + i.ToString(CultureInfo.InvariantCulture)) + ":{\"type\":\"integer\"}"))
                .Append("},");
        }

        schema.Append(tracking && !draft7 ? "\"unevaluatedProperties\"" : "\"additionalProperties\"").Append(":{\"type\":\"integer\"},");
        schema.Append("\"required\":[").AppendJoin(',', listed.Select(Quote)).Append("]}");
        return schema.ToString();
    }

    /// <summary>The instance text and the (decoded) names it has, plus an extra member that is not required.</summary>
    private static (string Text, HashSet<string> Present) Instance(int count, string prefix, Shape shape)
    {
        var members = new List<(string Written, string Name)>();
        for (int i = 0; i < count; i++)
        {
            bool missing = shape switch
            {
                Shape.MissingFirst => i == 0,
                Shape.MissingMiddle or Shape.EscapedMissingMiddle => i == count / 2,
                Shape.MissingLast or Shape.RepeatedMembersMissingLast => i == count - 1,
                Shape.MissingFirstAndLast => i == 0 || i == count - 1,
                Shape.Empty => true,
                _ => false,
            };
            if (missing)
            {
                continue;
            }

            string name = prefix + i.ToString(CultureInfo.InvariantCulture);
            bool escaped = shape is Shape.AllEscaped || (shape is Shape.EscapedMissingMiddle && i % 2 == 1);
            string written = escaped ? "\"\\u" + ((int)prefix[0]).ToString("x4", CultureInfo.InvariantCulture) + i.ToString(CultureInfo.InvariantCulture) + "\"" : Quote(name);
            members.Add((written, name));
        }

        if (shape is Shape.RepeatedMembers or Shape.RepeatedMembersMissingLast && members.Count > 2)
        {
            members.Add(members[0]);
            members.Insert(members.Count / 2, members[1]);
        }

        members.Insert(members.Count / 2, (Quote("extra"), "extra"));
        string text = "{" + string.Join(',', members.Select(m => m.Written + ":1")) + "}";
        return (text, members.Select(m => m.Name).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>A JSON string of <paramref name="name"/> with non-ASCII characters written as they are.</summary>
    private static string Quote(string name) => "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
