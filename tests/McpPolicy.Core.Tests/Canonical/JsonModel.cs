using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace McpPolicy.Core.Tests.Canonical;

/// <summary>A generated JSON value that can be written out in many equivalent spellings.</summary>
internal abstract record JsonModel
{
    private static readonly string[] Whitespace = ["", " ", "  ", "\n", "\t", "\r\n", " \n\t "];

    private static readonly char[] Alphabet =
    [
        'a', 'b', 'z', 'A', 'Z', '0', '9', ' ', '_', '-', '/', '\'', '<', '&',
        '"', '\\', '\0', '\b', '\t', '\n', '\f', '\r', '\u001f', '\u007f',
        '\u0080', '\u00e9', '\u00f6', '\u20ac', '\u2028', '\ufb33', '\uffff',
    ];

    private static readonly string[] Astral = ["\U0001F600", "\U0001D11E", "\U00010000", "\U0010FFFF"];

    public static Gen<JsonModel> Generator { get; } = Gen.Sized(size => Sized(Math.Min(size, 40)));

    /// <summary>Writes the value with random member order, whitespace, escapes and number spellings chosen by <paramref name="random"/>.</summary>
    public string Render(Random random)
    {
        var builder = new StringBuilder();
        Write(builder, random);
        return builder.ToString();
    }

    protected abstract void Write(StringBuilder builder, Random random);

    protected static void Space(StringBuilder builder, Random random) => builder.Append(Whitespace[random.Next(Whitespace.Length)]);

    protected static void WriteString(StringBuilder builder, string value, Random random)
    {
        builder.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c))
            {
                // A pair is written raw or escaped as a whole; half-escaped would be an unpaired surrogate in the text.
                if (random.Next(3) == 0)
                {
                    builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}\\u{(int)value[i + 1]:X4}");
                }
                else
                {
                    builder.Append(c).Append(value[i + 1]);
                }

                i++;
                continue;
            }

            var mustEscape = c is '"' or '\\' || c < 0x20;
            if (!mustEscape && random.Next(4) != 0)
            {
                builder.Append(c);
            }
            else if (c == '"' && random.Next(2) == 0)
            {
                builder.Append("\\\"");
            }
            else if (c == '\n' && random.Next(2) == 0)
            {
                builder.Append("\\n");
            }
            else if (c == '/' && random.Next(2) == 0)
            {
                builder.Append("\\/");
            }
            else
            {
                var format = random.Next(2) == 0 ? "x4" : "X4";
                builder.Append("\\u").Append(((int)c).ToString(format, CultureInfo.InvariantCulture));
            }
        }

        builder.Append('"');
    }

    private static Gen<JsonModel> Sized(int size)
    {
        var leaf = Gen.OneOf(
            Gen.Constant<JsonModel>(new Null()),
            ArbMap.Default.GeneratorFor<bool>().Select(b => (JsonModel)new Bool(b)),
            NumberGen.Select(d => (JsonModel)new Number(d)),
            StringGen.Select(s => (JsonModel)new Str(s)));
        if (size <= 1)
        {
            return leaf;
        }

        var child = Gen.Sized(_ => Sized(size / 3));
        var array = Gen.Choose(0, 5).SelectMany(n => Gen.ListOf(child, n)).Select(items => (JsonModel)new Arr([.. items]));
        var member = StringGen.SelectMany(name => child.Select(value => (name, value)));
        var obj = Gen.Choose(0, 6).SelectMany(n => Gen.ListOf(member, n)).Select(members =>
        {
            // Names must be unique: canonicalization rejects duplicates.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var unique = members.Where(m => seen.Add(m.name)).ToArray();
            return (JsonModel)new Obj(unique);
        });
        return Gen.Frequency((2, leaf), (1, array), (2, obj));
    }

    private static Gen<double> NumberGen => Gen.OneOf(
        ArbMap.Default.GeneratorFor<long>().Select(BitConverter.Int64BitsToDouble).Where(double.IsFinite),
        Gen.Choose(-1000, 1000).Select(i => (double)i),
        Gen.Choose(-100000, 100000).Select(i => i / 100.0),
        Gen.Elements(0.0, -0.0, 1e21, 1e-7, 5e-324, double.MaxValue, double.MinValue, 1e-6, 123456789012345680000.0));

    private static Gen<string> StringGen => Gen.Choose(0, 8)
        .SelectMany(n => Gen.ListOf(Gen.Frequency(
            (6, Gen.Elements(Alphabet).Select(c => c.ToString())),
            (1, Gen.Elements(Astral))), n))
        .Select(parts => string.Concat(parts));

    internal sealed record Null : JsonModel
    {
        protected override void Write(StringBuilder builder, Random random) => builder.Append("null");
    }

    internal sealed record Bool(bool Value) : JsonModel
    {
        protected override void Write(StringBuilder builder, Random random) => builder.Append(Value ? "true" : "false");
    }

    internal sealed record Number(double Value) : JsonModel
    {
        protected override void Write(StringBuilder builder, Random random)
        {
            // Any spelling that parses to the same double: shortest, 17 significant digits, or a scaled exponent form.
            var text = random.Next(3) switch
            {
                0 => Value.ToString("R", CultureInfo.InvariantCulture),
                1 => Value.ToString("E16", CultureInfo.InvariantCulture),
                _ => Value.ToString("e16", CultureInfo.InvariantCulture).Replace("e+", "e", StringComparison.Ordinal),
            };
            builder.Append(text);
        }
    }

    internal sealed record Str(string Value) : JsonModel
    {
        protected override void Write(StringBuilder builder, Random random) => WriteString(builder, Value, random);
    }

    internal sealed record Arr(JsonModel[] Items) : JsonModel
    {
        protected override void Write(StringBuilder builder, Random random)
        {
            builder.Append('[');
            for (var i = 0; i < Items.Length; i++)
            {
                Space(builder, random);
                if (i > 0)
                {
                    builder.Append(',');
                    Space(builder, random);
                }

                Items[i].Write(builder, random);
            }

            Space(builder, random);
            builder.Append(']');
        }
    }

    internal sealed record Obj((string Name, JsonModel Value)[] Members) : JsonModel
    {
        protected override void Write(StringBuilder builder, Random random)
        {
            var order = Members.ToArray();
            random.Shuffle(order);
            builder.Append('{');
            for (var i = 0; i < order.Length; i++)
            {
                Space(builder, random);
                if (i > 0)
                {
                    builder.Append(',');
                    Space(builder, random);
                }

                WriteString(builder, order[i].Name, random);
                Space(builder, random);
                builder.Append(':');
                Space(builder, random);
                order[i].Value.Write(builder, random);
            }

            Space(builder, random);
            builder.Append('}');
        }
    }
}
