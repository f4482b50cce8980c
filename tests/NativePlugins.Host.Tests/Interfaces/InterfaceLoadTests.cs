using Acme.Greeter;
using NativePlugins.Hosting;
using NativePlugins.Interop;

namespace NativePlugins.Host.Tests.Interfaces;

/// <summary>What a host checks at load for a registered interface (interop/interfaces.md section 3), against the
/// real C libraries, and what it shows of every interface.</summary>
[Collection(GreeterCollection.Name)]
public unsafe class InterfaceLoadTests
{
    [Fact]
    public void The_test_plugins_give_the_fingerprints_of_the_registered_contract()
    {
        Assert.Equal(Greeters.Fingerprint11, AcmeGreeterV1Contract.ACME_GREETER_V1_LAYOUT_FINGERPRINT);
        Assert.Equal(Greeters.Fingerprint10, AcmeGreeterV1.Contract.Fingerprint(0));
        Assert.Equal(Greeters.Fingerprint11, AcmeGreeterV1.Contract.Fingerprint(1));
        Assert.Equal(40u, AcmeGreeterV1.Contract.MinimumSize);
        Assert.Equal(48u, AcmeGreeterV1.Contract.Size);
    }

    [Fact]
    public void A_registered_interface_is_validated_and_its_details_are_exposed()
    {
        using var host = Greeters.Host();
        var library = host.Load(Greeters.Library);
        var greeter = library.Plugins.Single(p => p.Id == Greeters.Greeter);
        var detail = Assert.Single(greeter.InterfaceDetails);
        Assert.Equal(new InterfaceDetail("acme.greeter/1", 48, Greeters.Fingerprint11, 1), detail);
        Assert.True(detail.IsValidated);
        Assert.Equal($"acme.greeter/1 (minor 1, fingerprint 0x{Greeters.Fingerprint11:x16})", detail.ToString());

        var view = library.GetInterface(Greeters.Greeter, AcmeGreeterV1.Contract);
        Assert.Equal(48u, view.StructSize);
        Assert.Equal(1u, view.Minor);
        Assert.Equal(Greeters.Fingerprint11, view.LayoutFingerprint);
        Assert.True(view.Has("greet"));
        Assert.True(view.Has("count"));
        Assert.NotEqual(0, view.VTable);
        Assert.Throws<ArgumentException>(() => view.Has("wave"));
    }

    [Fact]
    public void A_minor_0_plugin_without_a_layout_is_checked_by_struct_size_and_its_optional_function_is_absent()
    {
        using var host = Greeters.Host();
        var library = host.Load(Greeters.Library);
        var detail = library.Plugins.Single(p => p.Id == Greeters.Old).InterfaceDetails.Single();
        Assert.Equal(new InterfaceDetail("acme.greeter/1", 40, null, 0), detail);
        var view = library.GetInterface(Greeters.Old, AcmeGreeterV1.Contract);
        // count lies beyond struct_size in the library's static vtable; the host's copy reads it as NULL (rule H2).
        Assert.False(view.Has("count"));
        Assert.Equal(0, *(nint*)(view.VTable + 40));
        Assert.True(view.Has("add"));
    }

    [Fact]
    public void A_newer_library_whose_report_shows_only_appended_fields_is_accepted_at_the_hosts_newest_minor()
    {
        using var host = Greeters.Host();
        var library = host.Load(Greeters.Library);
        var detail = library.Plugins.Single(p => p.Id == Greeters.Newer).InterfaceDetails.Single();
        Assert.Equal(56u, detail.StructSize);
        Assert.Equal(1u, detail.Minor);
        Assert.True(library.GetInterface(Greeters.Newer, AcmeGreeterV1.Contract).Has("count"));
    }

    [Fact]
    public void Interfaces_the_host_did_not_register_are_listed_with_their_fingerprint_but_never_validated_or_called()
    {
        // acme.other/1's only function aborts the process: loading and listing must not touch it.
        using var host = Greeters.Host();
        var library = host.Load(Greeters.Library);
        var other = library.Plugins.Single(p => p.Id == Greeters.Other);
        Assert.Equal(["acme.other/1", "acme.greeter/1"], other.Interfaces.ToArray());
        Assert.Equal(new InterfaceDetail("acme.other/1", 16, 0x4f544845525f4650, null), other.InterfaceDetails[0]);
        Assert.False(other.InterfaceDetails[0].IsValidated);
        Assert.Equal("acme.other/1 (fingerprint 0x4f544845525f4650)", other.InterfaceDetails[0].ToString());
        Assert.True(other.InterfaceDetails[1].IsValidated);

        var otherContract = new NativeInterfaceContract("acme.other/1", 0,
            [new NpStructLayout("acme_other_v1_t", 16, 8, 0,
                [new NpFieldLayout("struct_size", "uint32_t", "uint32_t", 0, 4, 0),
                 new NpFieldLayout("reserved", "uint32_t", "uint32_t", 4, 4, 0),
                 new NpFieldLayout("poke", "void (*)(void)", "void (*)(void)", 8, 8, 0)])],
            [new NativeInterfaceFunction("poke", 8, true, 0, NativeFunctionRole.Method)]);
        var e = Assert.Throws<InvalidOperationException>(() => library.GetInterface(Greeters.Other, otherContract));
        Assert.Contains("acme.other/1 is not registered in PluginHostOptions.Interfaces", e.Message);
        Assert.Contains(Greeters.Other, e.Message);
    }

    [Fact]
    public void A_host_that_registers_nothing_loads_every_variant_and_refuses_to_hand_out_the_interface()
    {
        using var host = Greeters.Host(register: false);
        var library = host.Load(Greeters.Library);
        var detail = library.Plugins.Single(p => p.Id == Greeters.Greeter).InterfaceDetails.Single();
        Assert.Equal(new InterfaceDetail("acme.greeter/1", 48, Greeters.Fingerprint11, null), detail);
        var e = Assert.Throws<InvalidOperationException>(() => library.Create<AcmeGreeterV1>(Greeters.Greeter));
        Assert.Contains("acme.greeter/1", e.Message);
        Assert.Contains(Greeters.Greeter, e.Message);
        foreach (var what in new[] { "small", "null_function", "bad_layout", "no_report", "bad_report" })
            host.Load(Greeters.BrokenLibrary(what)).Dispose();
    }

    [Theory]
    [InlineData("small", PluginLoadError.StructTooSmall,
        "the acme.greeter/1 vtable (acme_greeter_v1_t) has struct_size 8; acme_greeter_v1_t is 40 bytes at acme.greeter/1 minor 0")]
    [InlineData("null_function", PluginLoadError.NullFunction, "acme_greeter_v1_t.greet is NULL")]
    [InlineData("bad_layout", PluginLoadError.LayoutMismatch,
        "acme.greeter/1: acme_greeter_v1_t.add: offset 40 in the library, 32 in the host's header (and 1 more difference); " +
        "the library's interface fingerprint 0x0123456789abcdef matches no minor of the host's header (0..1)")]
    [InlineData("no_report", PluginLoadError.LayoutMismatch,
        "acme.greeter/1: the library gave no layout report, so the differing struct cannot be named")]
    [InlineData("bad_report", PluginLoadError.LayoutMismatch,
        "acme.greeter/1: malformed layout report: structs is NULL but struct_count is 5")]
    public void A_broken_vtable_of_a_registered_interface_is_refused_with_a_typed_reason(string what,
        PluginLoadError reason, string detail)
    {
        using var host = Greeters.Host();
        var file = Greeters.BrokenLibrary(what);
        var e = Assert.Throws<PluginLoadException>(() => host.Load(file));
        Assert.Equal(reason, e.Reason);
        Assert.Equal(Greeters.Broken, e.PluginId);
        Assert.Equal(file, e.FilePath);
        Assert.StartsWith(detail, e.Detail);
        Assert.Empty(host.Libraries);
        // The host is unaffected (rule H3).
        host.Load(Greeters.Library).Dispose();
    }

    [Fact]
    public void Duplicate_interface_ids_are_refused_at_host_construction()
    {
        var e = Assert.Throws<ArgumentException>(() => new PluginHost(new PluginHostOptions
        {
            UseEnvironmentSearchPath = false,
            Interfaces = [AcmeGreeterV1.Contract,
                new NativeInterfaceContract("acme.greeter/1", 1, AcmeGreeterV1Contract.Structs, AcmeGreeterV1Contract.Functions)],
        }));
        Assert.Contains("'acme.greeter/1' twice", e.Message);
    }

    [Fact]
    public void Asking_for_an_interface_a_plugin_does_not_implement_names_plugin_and_interface()
    {
        using var host = Greeters.Host();
        host.Load(Greeters.Library);
        host.Load(Host.Tests.Infrastructure.NativeArtifacts.CText);
        var e = Assert.Throws<NotSupportedException>(() => host.Create<AcmeGreeterV1>("org.nativeplugins.c.upper"));
        Assert.Contains("plugin 'org.nativeplugins.c.upper' does not implement acme.greeter/1", e.Message);
        Assert.Throws<PluginNotFoundException>(() => host.Create<AcmeGreeterV1>("com.example.nobody"));
        // np.transform/1 plugins list their interface without a registered minor.
        var upper = host.Plugins.Single(p => p.Id == "org.nativeplugins.c.upper");
        Assert.Equal("np.transform/1", upper.InterfaceDetails.Single().ToString());
    }
}
