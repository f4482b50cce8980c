using System.Text;
using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using NativePlugins.Hosting.Loading;
using NativePlugins.Interop;

namespace NativePlugins.Host.Tests;

/// <summary>Every check of rule P2 / H2 on descriptors built in native memory (see <see cref="FakeLibrary"/>).</summary>
public unsafe class DescriptorValidatorTests
{
    private const string File = "/fake/libfake.so";
    private static readonly AbiVersion V11 = new(1, 1);

    private static PluginLoadException Refuse(FakeLibrary f, AbiVersion? agreed = null) =>
        Assert.Throws<PluginLoadException>(() => DescriptorValidator.Validate(File, f.Library, agreed ?? V11));

    [Fact]
    public void A_complete_library_validates_into_managed_metadata()
    {
        using var f = new FakeLibrary(pluginCount: 2);
        var (lib, sdk, plugins) = DescriptorValidator.Validate(File, f.Library, V11);
        Assert.Equal("fake/1.0", sdk);
        Assert.Equal(2u, lib.plugin_count);
        Assert.Equal(["org.example.fake0", "org.example.fake1"], plugins.Select(p => p.Info.Id));
        var p0 = plugins[0];
        Assert.Equal("Fake 0", p0.Info.Name);
        Assert.Equal("Tests", p0.Info.Vendor);
        Assert.Equal("", p0.Info.Description);
        Assert.Equal(File, p0.Info.FilePath);
        Assert.Equal(V11, p0.Info.AbiVersion);
        Assert.NotNull(p0.Transform);
        Assert.True(p0.Transform!.HasStats);
    }

    [Fact]
    public void Library_level_checks()
    {
        using (var f = new FakeLibrary()) { f.Library->struct_size = 8; Assert.Equal(PluginLoadError.StructTooSmall, Refuse(f).Reason); }
        using (var f = new FakeLibrary()) { f.Library->init = null; Assert.Equal(PluginLoadError.NullFunction, Refuse(f).Reason); }
        using (var f = new FakeLibrary()) { f.Library->deinit = null; Assert.Equal(PluginLoadError.NullFunction, Refuse(f).Reason); }
        using (var f = new FakeLibrary()) { f.Library->plugins = null; Assert.Equal(PluginLoadError.NullPointer, Refuse(f).Reason); }
        using (var f = new FakeLibrary()) { f.Library->plugins[0] = null; Assert.Equal(PluginLoadError.NullPointer, Refuse(f).Reason); }
        using (var f = new FakeLibrary()) { f.Library->plugin_count = 1_000_000; Assert.Equal(PluginLoadError.InvalidValue, Refuse(f).Reason); }
        using (var f = new FakeLibrary()) { f.Library->sdk = f.Bytes([0xc3, 0x28]); Assert.Equal(PluginLoadError.InvalidUtf8, Refuse(f).Reason); }
        using (var f = new FakeLibrary()) { f.Library->sdk = new np_str_t { ptr = null, len = 3 }; Assert.Equal(PluginLoadError.NullPointer, Refuse(f).Reason); }
    }

    [Theory]
    [InlineData("Upper")]
    [InlineData("org.example.Upper")]
    [InlineData("org.example.upper\n")]
    public void Invalid_ids_are_refused_naming_the_id(string id)
    {
        using var f = new FakeLibrary();
        f.Plugin()->id = f.Str(id);
        var e = Refuse(f);
        Assert.Equal(PluginLoadError.InvalidId, e.Reason);
        Assert.Equal(NativeText.Escape(Encoding.UTF8.GetBytes(id)), e.PluginId);
    }

    [Fact]
    public void Ids_longer_than_128_bytes_are_refused()
    {
        using var f = new FakeLibrary();
        f.Plugin()->id = f.Str("org." + new string('x', 130));
        var e = Refuse(f);
        Assert.Equal(PluginLoadError.InvalidId, e.Reason);
        Assert.Contains("128", e.Detail);
    }

    [Fact]
    public void Plugin_level_checks_name_the_plugin()
    {
        void Expect(PluginLoadError reason, Action<FakeLibrary> breakIt)
        {
            using var f = new FakeLibrary();
            breakIt(f);
            var e = Refuse(f);
            Assert.Equal(reason, e.Reason);
            Assert.Equal("org.example.fake0", e.PluginId);
            Assert.Equal(File, e.FilePath);
        }
        Expect(PluginLoadError.MissingName, f => f.Plugin()->name = default);
        Expect(PluginLoadError.InvalidVersion, f => f.Plugin()->version = f.Str("1.0"));
        Expect(PluginLoadError.InvalidVersion, f => f.Plugin()->version = f.Str(""));
        Expect(PluginLoadError.InvalidThreading, f => f.Plugin()->threading = 7);
        Expect(PluginLoadError.InvalidUtf8, f => f.Plugin()->description = f.Bytes([0xed, 0xa0, 0x80])); // a surrogate
        Expect(PluginLoadError.InvalidUtf8, f => f.Plugin()->vendor = f.Bytes([0xff]));
        Expect(PluginLoadError.InvalidValue, f => f.Plugin()->name = new np_str_t { ptr = f.Plugin()->name.ptr, len = 1UL << 40 });
        Expect(PluginLoadError.NoInterfaces, f => f.Plugin()->interface_count = 0);
        Expect(PluginLoadError.NullPointer, f => f.Plugin()->interfaces = null);
        Expect(PluginLoadError.InvalidValue, f => f.Plugin()->interface_count = 100_000);
        Expect(PluginLoadError.InvalidInterfaceId, f => f.SetInterfaces(f.Plugin(), ("transform", (nint)f.Vtable)));
        Expect(PluginLoadError.DuplicateInterface, f => f.SetInterfaces(f.Plugin(),
            (NpAbi.NP_TRANSFORM_ID_STRING, (nint)f.Vtable), (NpAbi.NP_TRANSFORM_ID_STRING, (nint)f.Vtable)));
        Expect(PluginLoadError.NullPointer, f => f.SetInterfaces(f.Plugin(), (NpAbi.NP_TRANSFORM_ID_STRING, 0)));
        Expect(PluginLoadError.StructTooSmall, f => f.Vtable->struct_size = 16);
        Expect(PluginLoadError.NullFunction, f => f.Vtable->create = null);
        Expect(PluginLoadError.NullFunction, f => f.Vtable->destroy = null);
        Expect(PluginLoadError.NullFunction, f => f.Vtable->flush = null);
    }

    [Fact]
    public void Two_plugins_with_one_id_in_a_library_are_refused()
    {
        using var f = new FakeLibrary(pluginCount: 2);
        f.Plugin(1)->id = f.Str("org.example.fake0");
        var e = Refuse(f);
        Assert.Equal(PluginLoadError.DuplicateId, e.Reason);
        Assert.Equal("org.example.fake0", e.PluginId);
    }

    [Fact]
    public void A_descriptor_too_small_to_hold_its_id_is_refused_without_one()
    {
        using var f = new FakeLibrary();
        f.Plugin()->struct_size = 8;
        var e = Refuse(f);
        Assert.Equal(PluginLoadError.StructTooSmall, e.Reason);
        Assert.Null(e.PluginId);
    }

    [Fact]
    public void Interfaces_the_host_does_not_know_are_listed_but_not_inspected()
    {
        using var f = new FakeLibrary();
        var opaque = f.Alloc(4); // not a transform vtable at all
        f.SetInterfaces(f.Plugin(), ("com.example.other/3", (nint)opaque));
        var plugin = DescriptorValidator.Validate(File, f.Library, V11).Plugins[0];
        Assert.Equal(["com.example.other/3"], plugin.Info.Interfaces.ToArray());
        Assert.Null(plugin.Transform);
        Assert.False(plugin.Info.IsTransform);
    }

    [Fact]
    public void Stats_is_read_only_when_struct_size_covers_it_and_the_agreed_minor_has_it()
    {
        using var f = new FakeLibrary();
        Assert.True(DescriptorValidator.Validate(File, f.Library, V11).Plugins[0].Transform!.HasStats);

        f.Vtable->struct_size = (uint)sizeof(np_transform_v1_t) - 8; // a 1.0 vtable: stats beyond struct_size
        Assert.False(DescriptorValidator.Validate(File, f.Library, V11).Plugins[0].Transform!.HasStats);

        f.Vtable->struct_size = (uint)sizeof(np_transform_v1_t) - 4; // half of stats covered: still absent
        Assert.False(DescriptorValidator.Validate(File, f.Library, V11).Plugins[0].Transform!.HasStats);

        f.Vtable->struct_size = (uint)sizeof(np_transform_v1_t);     // covered, but agreed on 1.0: absent
        Assert.False(DescriptorValidator.Validate(File, f.Library, new AbiVersion(1, 0)).Plugins[0].Transform!.HasStats);
    }

    [Fact]
    public void Structs_of_a_newer_minor_are_accepted_and_their_extra_fields_ignored()
    {
        using var f = new FakeLibrary(structExtraBytes: 64);
        f.Library->struct_size += 64;
        f.Plugin()->struct_size += 64;
        f.Vtable->struct_size += 64;
        var plugins = DescriptorValidator.Validate(File, f.Library, V11).Plugins;
        Assert.True(plugins[0].Transform!.HasStats);
    }
}
