using System.Net;
using FsCheck;
using FsCheck.Fluent;

namespace McpPolicy.Tokens.Tests.Http;

public sealed class AddressClassifierPropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(1000);

    private static Gen<byte> Octet => Gen.Choose(0, 255).Select(i => (byte)i);

    private static Gen<IPAddress> InRange(byte first, byte secondMin, byte secondMax) =>
        from b in Gen.Choose(secondMin, secondMax)
        from c in Octet
        from d in Octet
        select new IPAddress(new[] { first, (byte)b, c, d });

    private static Gen<IPAddress> Internal => Gen.OneOf(
        InRange(10, 0, 255),
        InRange(127, 0, 255),
        InRange(169, 254, 254),
        InRange(172, 16, 31),
        InRange(192, 168, 168),
        InRange(100, 64, 127),
        InRange(0, 0, 255));

    private static Gen<IPAddress> AnyV4 => Gen.ArrayOf(Octet, 4).Select(b => new IPAddress(b));

    [Fact]
    public void Every_internal_ipv4_address_and_its_mapped_and_nat64_forms_are_refused()
    {
        Check.One(Config, Prop.ForAll(Internal.ToArbitrary(), address =>
        {
            var nat64 = IPAddress.Parse("64:ff9b::" + Convert.ToHexString(address.GetAddressBytes()).Insert(4, ":"));
            return !SsrfSafeHttp.IsAllowed(address, new SsrfGuardOptions(), out _)
                && !SsrfSafeHttp.IsAllowed(address.MapToIPv6(), new SsrfGuardOptions(), out _)
                && !SsrfSafeHttp.IsAllowed(nat64, new SsrfGuardOptions(), out _);
        }));
    }

    [Fact]
    public void Every_ipv4_mapped_address_is_refused_unless_its_ipv4_network_is_allowlisted()
    {
        Check.One(Config, Prop.ForAll(AnyV4.ToArbitrary(), address =>
        {
            var allowlisted = new SsrfGuardOptions();
            allowlisted.AllowedNetworks.Add(new IPNetwork(address, 32));
            return !SsrfSafeHttp.IsAllowed(address.MapToIPv6(), new SsrfGuardOptions(), out _)
                && SsrfSafeHttp.IsAllowed(address.MapToIPv6(), allowlisted, out _)
                && SsrfSafeHttp.IsAllowed(address, allowlisted, out _);
        }));
    }

    [Fact]
    public void Allowlisting_one_network_allows_nothing_outside_it()
    {
        var options = new SsrfGuardOptions();
        options.AllowedNetworks.Add(IPNetwork.Parse("10.20.0.0/16"));

        Check.One(Config, Prop.ForAll(Internal.Where(a => !IPNetwork.Parse("10.20.0.0/16").Contains(a)).ToArbitrary(), address =>
            !SsrfSafeHttp.IsAllowed(address, options, out _)));
    }
}
