using NativePlugins.Interop;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.Native;

/// <summary>np_entry of C# plugins in both modes, exactly as rule P1 says.</summary>
public sealed unsafe class NegotiationTests
{
    public static IEnumerable<object[]> Libraries => BuildLayout.SampleLibraries();

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Same_version_agrees_and_hands_over_descriptor_fingerprint_and_report(string mode, string file)
    {
        var (status, negotiation, library) = RawLibrary.Negotiate(BuildLayout.Plugin(mode, file));

        Assert.Equal(NpAbi.NP_OK, status);
        Assert.Equal(NpAbi.NP_ABI_MAJOR, negotiation.library_abi_major);
        Assert.Equal(NpAbi.NP_ABI_MINOR, negotiation.library_abi_minor);
        Assert.Equal(NpAbi.NP_ABI_MINOR, negotiation.abi_minor);
        Assert.Equal(NpAbiLayout.Fingerprint(NpAbi.NP_ABI_MINOR), negotiation.layout_fingerprint);
        Assert.True(negotiation.layout_report is not null, "layout_report is NULL");
        Assert.Equal(NpAbiLayout.Structs.Count, (int)negotiation.layout_report->struct_count);
        Assert.True(library is not null);
        Assert.Equal($"nplug-cs/0.1.0 ({mode})", RawLibrary.Str(library->sdk));
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Older_host_minor_agrees_on_the_older_minor_and_its_fingerprint(string mode, string file)
    {
        var (status, negotiation, _) = RawLibrary.Negotiate(BuildLayout.Plugin(mode, file), minor: 0);

        Assert.Equal(NpAbi.NP_OK, status);
        Assert.Equal(0u, negotiation.abi_minor);
        Assert.Equal(NpAbi.NP_LAYOUT_FINGERPRINT_1_0, negotiation.layout_fingerprint);
        Assert.Equal(NpAbi.NP_ABI_MINOR, negotiation.library_abi_minor);
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Newer_host_minor_agrees_on_the_library_minor(string mode, string file)
    {
        var (status, negotiation, _) = RawLibrary.Negotiate(BuildLayout.Plugin(mode, file), minor: NpAbi.NP_ABI_MINOR + 7);

        Assert.Equal(NpAbi.NP_OK, status);
        Assert.Equal(NpAbi.NP_ABI_MINOR, negotiation.abi_minor);
        Assert.Equal(NpAbi.NP_LAYOUT_FINGERPRINT_1_1, negotiation.layout_fingerprint);
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Other_major_is_refused_with_NP_ERR_VERSION_and_the_library_version_written(string mode, string file)
    {
        var (status, negotiation, library) = RawLibrary.Negotiate(BuildLayout.Plugin(mode, file), major: NpAbi.NP_ABI_MAJOR + 1);

        Assert.Equal(NpAbi.NP_ERR_VERSION, status);
        Assert.Equal(NpAbi.NP_ABI_MAJOR, negotiation.library_abi_major);
        Assert.Equal(NpAbi.NP_ABI_MINOR, negotiation.library_abi_minor);
        Assert.Equal(NpAbi.NP_ABI_MINOR, negotiation.abi_minor); // untouched: what the host put in
        Assert.Equal(0ul, negotiation.layout_fingerprint);
        Assert.True(library is null);
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Repeated_entry_returns_the_same_descriptors(string mode, string file)
    {
        var first = RawLibrary.Negotiate(BuildLayout.Plugin(mode, file));
        var second = RawLibrary.Negotiate(BuildLayout.Plugin(mode, file));

        Assert.True(first.Library == second.Library, "np_entry returned another library descriptor (rule P3)");
        Assert.True(first.Negotiation.layout_report == second.Negotiation.layout_report);
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Null_arguments_are_refused_without_a_crash(string mode, string file)
    {
        var entry = RawLibrary.Entry(BuildLayout.Plugin(mode, file));
        var negotiation = new np_negotiation_t { struct_size = (uint)sizeof(np_negotiation_t), abi_major = 1, abi_minor = 1 };

        Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, entry(null, null));
        Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, entry(&negotiation, null));
        Assert.Equal(NpAbi.NP_ABI_MAJOR, negotiation.library_abi_major); // still written (rule P1)
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Descriptors_are_complete(string mode, string file)
    {
        var (_, _, library) = RawLibrary.Negotiate(BuildLayout.Plugin(mode, file));

        Assert.Equal((uint)sizeof(np_library_t), library->struct_size);
        Assert.Equal(1u, library->plugin_count);
        Assert.True(library->init is not null && library->deinit is not null);
        np_plugin_descriptor_t* plugin = library->plugins[0];
        Assert.Equal((uint)sizeof(np_plugin_descriptor_t), plugin->struct_size);
        Assert.StartsWith("org.nativeplugins.cs.", RawLibrary.Str(plugin->id));
        Assert.Equal("1.0.0", RawLibrary.Str(plugin->version));
        Assert.NotEmpty(RawLibrary.Str(plugin->name));
        Assert.Equal(NpAbi.NP_THREADING_SINGLE, plugin->threading);
        Assert.Equal(1ul, plugin->interface_count);
        Assert.Equal(NpAbi.NP_TRANSFORM_ID_STRING, RawLibrary.Str(plugin->interfaces[0].id));
        var vtable = (np_transform_v1_t*)plugin->interfaces[0].vtable;
        Assert.Equal((uint)sizeof(np_transform_v1_t), vtable->struct_size);
        Assert.True(vtable->create is not null && vtable->destroy is not null && vtable->process is not null
                    && vtable->flush is not null && vtable->stats is not null);
    }
}
