using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests;

/// <summary>Version negotiation from the host's side (section 2): a host offering an older minor agrees on it,
/// and fields of later minors are then absent even when the library's structs contain them (rule H2).</summary>
public class NegotiationTests
{
    [Fact]
    public void A_host_offering_minor_0_agrees_on_1_0_and_treats_stats_as_absent()
    {
        using var host = Create(abiMinor: 0);
        var lib = host.Load(NativeArtifacts.CText);
        Assert.Equal(new AbiVersion(1, 0), lib.AgreedAbi);
        Assert.Equal(AbiVersion.Current, lib.LibraryAbi);
        Assert.Equal(Interop.NpAbi.NP_LAYOUT_FINGERPRINT_1_0, lib.LayoutFingerprint);
        using var upper = host.CreateTransform(Upper);
        Assert.False(upper.SupportsStats);
        Assert.False(upper.TryGetStats(out _));
        Assert.Equal(["ABC"], Run(host, Upper, "", "abc"));
    }

    [Fact]
    public void A_host_cannot_offer_a_minor_newer_than_its_header()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(abiMinor: Interop.NpAbi.NP_ABI_MINOR + 1));
    }
}
