using Acme.Greeter;
using NativePlugins.Host.Tests.Interfaces;
using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Isolation.IsolatedHosts;

namespace NativePlugins.Host.Tests.Isolation;

/// <summary>The load checks of a registered interface for a library in a worker: from what the worker reports of the
/// vtable (its struct_size, the library's interface fingerprint and layout report), the same refusals with the same
/// words as in-process, and the same minor recorded for every interface (a newer library's included).</summary>
[Collection(GreeterCollection.Name)]
public class IsolatedInterfaceLoadTests
{
    private static PluginHost Host(PluginIsolation isolation) => new(new PluginHostOptions
    {
        UseEnvironmentSearchPath = false,
        Interfaces = [AcmeGreeterV1.Contract],
        Isolation = isolation,
        IsolationOptions = Options(),
    });

    [Fact]
    public void An_isolated_library_reports_the_interface_details_in_process_validation_gives()
    {
        using var inProcess = Host(PluginIsolation.InProcess);
        using var isolated = Host(PluginIsolation.ProcessPerLibrary);
        var expected = inProcess.Load(Greeters.Library).Plugins.Select(p => (p.Id, p.InterfaceDetails.ToList()));
        var actual = isolated.Load(Greeters.Library).Plugins.Select(p => (p.Id, p.InterfaceDetails.ToList()));
        Assert.Equal(expected.Select(e => (e.Id, string.Join(";", e.Item2))), actual.Select(a => (a.Id, string.Join(";", a.Item2))));
        Assert.Contains(actual.SelectMany(a => a.Item2), d => d.LayoutFingerprint is not null && d.Minor is not null);
    }

    [Theory]
    [InlineData("small", PluginLoadError.StructTooSmall,
        "the acme.greeter/1 vtable (acme_greeter_v1_t) has struct_size 8; acme_greeter_v1_t is 40 bytes at acme.greeter/1 minor 0")]
    [InlineData("bad_layout", PluginLoadError.LayoutMismatch,
        "acme.greeter/1: acme_greeter_v1_t.add: offset 40 in the library, 32 in the host's header (and 1 more difference); " +
        "the library's interface fingerprint 0x0123456789abcdef matches no minor of the host's header (0..1)")]
    [InlineData("no_report", PluginLoadError.LayoutMismatch,
        "acme.greeter/1: the library gave no layout report, so the differing struct cannot be named")]
    [InlineData("bad_report", PluginLoadError.LayoutMismatch,
        "acme.greeter/1: malformed layout report: structs is NULL but struct_count is 5")]
    public void A_broken_vtable_of_a_registered_interface_is_refused_at_load_in_the_worker_too(string what, PluginLoadError reason,
        string detail)
    {
        using var host = Host(PluginIsolation.ProcessPerLibrary);
        var file = Greeters.BrokenLibrary(what);
        var e = Assert.Throws<PluginLoadException>(() => host.Load(file));
        Assert.Equal(reason, e.Reason);
        Assert.Equal(Greeters.Broken, e.PluginId);
        Assert.Equal(file, e.FilePath);
        Assert.StartsWith(detail, e.Detail);
        Assert.Empty(host.Libraries);
        host.Load(Greeters.Library).Dispose(); // the host is unaffected
    }
}
