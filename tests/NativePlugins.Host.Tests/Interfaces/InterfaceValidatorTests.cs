using Acme.Greeter;
using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using NativePlugins.Hosting.Interfaces;
using NativePlugins.Hosting.Loading;
using NativePlugins.Interop;

namespace NativePlugins.Host.Tests.Interfaces;

/// <summary>The checks of a registered interface's vtable on descriptors built in memory (<see cref="FakeLibrary"/>):
/// rule H2 for interface_layouts and for the vtable copy, and rule I4 for required functions appended later.</summary>
public unsafe class InterfaceValidatorTests
{
    private const string File = "/fake/libgreeter.so";
    private static readonly AbiVersion V12 = new(1, 2), V11 = new(1, 1);
    private const nint Fn = 0x1000; // never called: validation only reads pointers

    /// <summary>A fake library whose plugin lists acme.greeter/1 with a vtable of <paramref name="structSize"/>
    /// bytes (every function set, in a 48-byte block) and, when given, one interface layout.</summary>
    private static (FakeLibrary Fake, nint VTable) Greeter(uint structSize, ulong? fingerprint = null, np_layout_report_t* report = null)
    {
        var f = new FakeLibrary();
        var vt = (nint*)f.Alloc(48);
        *(uint*)vt = structSize;
        for (int i = 1; i < 6; i++) vt[i] = Fn;
        var d = f.Plugin();
        f.SetInterfaces(d, ("acme.greeter/1", (nint)vt));
        if (fingerprint is { } fp)
        {
            var layouts = (np_interface_layout_t*)f.Alloc(sizeof(np_interface_layout_t));
            layouts->fingerprint = fp;
            layouts->report = report;
            d->interface_layouts = layouts;
        }
        return (f, (nint)vt);
    }

    private static ValidatedInterface Validate(FakeLibrary f, AbiVersion agreed, NativeInterfaceContract? contract = null)
    {
        var blocks = new NativeBlocks();
        var registry = new InterfaceRegistry([contract ?? AcmeGreeterV1.Contract]);
        var plugin = DescriptorValidator.Validate(File, f.Library, agreed, registry, blocks).Plugins[0];
        return Assert.Single(plugin.Interfaces!);
    }

    [Fact]
    public void Interface_layouts_are_read_only_when_the_agreed_minor_has_them()
    {
        var (f, _) = Greeter(48, fingerprint: 0x0123456789abcdef); // a wrong fingerprint and no report
        using (f)
        {
            var e = Assert.Throws<PluginLoadException>(() => Validate(f, V12));
            Assert.Equal(PluginLoadError.LayoutMismatch, e.Reason);
            // At 1.1 the field does not exist (rule H2): checked by struct_size and NULLs only.
            var vt = Validate(f, V11);
            Assert.Null(vt.Fingerprint);
            Assert.Equal(1u, vt.Minor);
        }
    }

    [Fact]
    public void Interface_layouts_beyond_the_descriptors_struct_size_are_not_read()
    {
        var (f, _) = Greeter(48, fingerprint: 0x0123456789abcdef);
        using (f)
        {
            f.Plugin()->struct_size = AbiLayoutFacts.FieldEnd("np_plugin_descriptor_t", "interface_count");
            Assert.Null(Validate(f, V12).Fingerprint);
        }
    }

    [Fact]
    public void The_fingerprint_decides_the_minor_and_fields_of_later_minors_are_not_copied()
    {
        var (f, _) = Greeter(48, fingerprint: AcmeGreeterV1.Contract.Fingerprint(0));
        using (f)
        {
            var vt = Validate(f, V12);
            Assert.Equal(0u, vt.Minor);
            Assert.Equal(40u, vt.ReadableBytes);
            Assert.Equal(0, vt.FunctionAt(40)); // count exists in the library's memory, not in minor 0
            Assert.Equal(Fn, vt.FunctionAt(32));
        }
    }

    [Fact]
    public void Bytes_beyond_the_libraries_struct_size_read_as_zero_in_the_copy()
    {
        var (f, lib) = Greeter(40);
        using (f)
        {
            var vt = Validate(f, V12);
            Assert.Equal(Fn, ((nint*)lib)[5]); // set in the library's block...
            Assert.Equal(0, vt.FunctionAt(40)); // ...but beyond its struct_size
            Assert.Equal(0u, vt.Minor);
            Assert.NotEqual(lib, (nint)vt.VTable); // a copy, owned by the host
        }
    }

    [Fact]
    public void A_required_function_appended_later_is_required_only_when_struct_size_covers_it()
    {
        // A variant of the contract whose count (since 1.1) is required.
        var strict = new NativeInterfaceContract("acme.greeter/1", 1, [AcmeGreeterV1.Contract.VTable],
            AcmeGreeterV1.Contract.Functions.Select(fn => fn.Name == "count" ? fn with { Required = true } : fn).ToList());
        var (small, _) = Greeter(40);
        using (small) Assert.Equal(0u, Validate(small, V12, strict).Minor);
        var (full, lib) = Greeter(48);
        using (full)
        {
            ((nint*)lib)[5] = 0;
            var e = Assert.Throws<PluginLoadException>(() => Validate(full, V12, strict));
            Assert.Equal(PluginLoadError.NullFunction, e.Reason);
            Assert.StartsWith("acme_greeter_v1_t.count is NULL", e.Detail);
            Assert.Equal("org.example.fake0", e.PluginId);
        }
    }

    [Fact]
    public void A_report_that_agrees_field_by_field_with_an_unknown_fingerprint_is_a_mismatch()
    {
        var report = NpLayoutReport.Allocate([AcmeGreeterV1.Contract.VTable]); // process-lifetime memory
        var (f, _) = Greeter(48, fingerprint: 0x0123456789abcdef, report);
        using (f)
        {
            var e = Assert.Throws<PluginLoadException>(() => Validate(f, V12));
            Assert.Equal(PluginLoadError.LayoutMismatch, e.Reason);
            Assert.Contains("agrees with the host's header field by field", e.Detail);
        }
    }

    [Fact]
    public void Plugins_without_a_registered_interface_carry_no_validated_vtables()
    {
        using var f = new FakeLibrary();
        var plugin = DescriptorValidator.Validate(File, f.Library, V12, new InterfaceRegistry([AcmeGreeterV1.Contract])).Plugins[0];
        Assert.Null(plugin.Interfaces);
        Assert.Equal(new InterfaceDetail("np.transform/1", (uint)sizeof(np_transform_v1_t), null, null), plugin.Info.InterfaceDetails.Single());
    }

    [Fact]
    public void The_host_refuses_np_transform_as_a_registered_interface()
    {
        var transform = new NativeInterfaceContract(NpAbi.NP_TRANSFORM_ID_STRING, 0, [AcmeGreeterV1.Contract.VTable], []);
        Assert.Throws<ArgumentException>(() => new InterfaceRegistry([transform]));
    }
}
