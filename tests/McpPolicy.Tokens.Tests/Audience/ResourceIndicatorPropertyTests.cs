using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace McpPolicy.Tokens.Tests.Audience;

public sealed class ResourceIndicatorPropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(500);

    private static Gen<string> Label => Gen.Choose(1, 8).SelectMany(n =>
        Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789".ToCharArray()), n)).Select(chars => new string(chars))
        .Where(label => !label.All(char.IsAsciiDigit) && !(label.StartsWith("0x", StringComparison.Ordinal) && label[2..].All(char.IsAsciiHexDigit)));

    private static Gen<string> Segment => Gen.Choose(1, 6).SelectMany(n =>
        Gen.ArrayOf(Gen.Elements("abcXYZ019-._~!$&'()*+,;=:".ToCharArray()), n)).Select(chars => new string(chars))
        .Where(segment => segment is not ("." or ".."));

    /// <summary>A resource URI in canonical form, built from its parts.</summary>
    private static Gen<Resource> Resources =>
        from host in Gen.Choose(1, 4).SelectMany(n => Gen.ListOf(Label, n)).Select(labels => string.Join('.', labels))
        from port in Gen.OneOf(Gen.Constant<int?>(null), Gen.Choose(1, 65535).Where(p => p != 443).Select(p => (int?)p))
        from segments in Gen.Choose(0, 4).SelectMany(n => Gen.ListOf(Segment, n))
        select new Resource(host, port, [.. segments]);

    [Fact]
    public void Canonicalizing_a_canonical_resource_changes_nothing()
    {
        Check.One(Config, Prop.ForAll(Resources.ToArbitrary(), r =>
        {
            var once = ResourceIndicator.Parse(r.Canonical);
            return once.Value == r.Canonical && ResourceIndicator.Parse(once.Value).Value == once.Value;
        }));
    }

    [Fact]
    public void Every_equivalent_spelling_matches_the_canonical_resource()
    {
        var cases = Resources.SelectMany(r => ArbMap.Default.GeneratorFor<int>().Select(seed => (r, seed))).ToArbitrary();

        Check.One(Config, Prop.ForAll(cases, c =>
        {
            var spelled = c.r.Spell(new Random(c.seed));
            return ResourceIndicator.Parse(c.r.Canonical).Matches(spelled) && ResourceIndicator.Parse(spelled).Value == c.r.Canonical;
        }));
    }

    [Fact]
    public void Resources_that_differ_in_host_port_or_path_never_match()
    {
        var pairs = Resources.Two().Where(p => p.Item1.Canonical != p.Item2.Canonical).ToArbitrary();

        Check.One(Config, Prop.ForAll(pairs, p =>
            !ResourceIndicator.Parse(p.Item1.Canonical).Matches(p.Item2.Canonical)
            && !ResourceIndicator.Parse(p.Item1.Canonical).Matches(p.Item1.Canonical + "x")
            && !ResourceIndicator.Parse(p.Item1.Canonical).Matches(p.Item1.Canonical + "/x")));
    }

    internal sealed record Resource(string Host, int? Port, string[] Segments)
    {
        public string Canonical => "https://" + Host + (Port is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : string.Empty)
            + string.Concat(Segments.Select(s => "/" + s));

        /// <summary>The same resource with random case in scheme and host, an explicit default port, escapes and a trailing slash.</summary>
        public string Spell(Random random)
        {
            var builder = new StringBuilder();
            builder.Append(RandomCase("https", random)).Append("://").Append(RandomCase(Host, random));
            if (Port is { } p)
            {
                builder.Append(':').Append(p.ToString(CultureInfo.InvariantCulture));
            }
            else if (random.Next(2) == 0)
            {
                builder.Append(":443");
            }

            foreach (var segment in Segments)
            {
                builder.Append('/');
                foreach (var c in segment)
                {
                    var unreserved = char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';
                    if (unreserved && random.Next(3) == 0)
                    {
                        builder.Append('%').Append(((int)c).ToString(random.Next(2) == 0 ? "x2" : "X2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }
                }
            }

            if (random.Next(2) == 0)
            {
                builder.Append('/');
            }

            return builder.ToString();
        }

        private static string RandomCase(string text, Random random) =>
            string.Concat(text.Select(c => random.Next(2) == 0 ? char.ToUpperInvariant(c) : c));
    }
}
