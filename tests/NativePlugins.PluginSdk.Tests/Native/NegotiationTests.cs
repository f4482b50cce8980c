using NativePlugins.Interop;
using NativePlugins.PluginSdk.Runtime;
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
        Assert.Equal($"{LibraryState.SdkName} ({mode})", RawLibrary.Str(library->sdk));
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
        Assert.Equal(NpAbiLayout.Fingerprint(NpAbi.NP_ABI_MINOR), negotiation.layout_fingerprint);
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
        var error = new ErrorBuffer();
        var negotiation = new np_negotiation_t
        {
            struct_size = (uint)sizeof(np_negotiation_t),
            abi_major = NpAbi.NP_ABI_MAJOR,
            abi_minor = NpAbi.NP_ABI_MINOR,
            error = error.Pointer,
        };

        Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, entry(null, null));
        Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, entry(&negotiation, null));
        Assert.Equal(NpAbi.NP_ABI_MAJOR, negotiation.library_abi_major); // still written (rule P1)
        Assert.Equal($"{LibraryState.SdkName}: np_entry: out_library is NULL", error.ToString()); // ABI 1.2: and says why
    }

    // ---- ABI 1.2: np_negotiation_t.error, the host's buffer for why np_entry failed ---------------------------------

    [Theory]
    [MemberData(nameof(Libraries))]
    public void S10_a_version_refusal_writes_its_reason_into_the_hosts_error_buffer(string mode, string file)
    {
        var error = new ErrorBuffer();
        var (status, negotiation, _) = RawLibrary.Negotiate(BuildLayout.Plugin(mode, file), major: NpAbi.NP_ABI_MAJOR + 1,
            error: error.Pointer);

        Assert.Equal(NpAbi.NP_ERR_VERSION, status);
        Assert.Equal($"{LibraryState.SdkName}: this library speaks ABI {NpAbi.NP_ABI_MAJOR}.{NpAbi.NP_ABI_MINOR}; " +
                     $"the host speaks major {NpAbi.NP_ABI_MAJOR + 1}", error.ToString());
        Assert.Equal(0, error.Code);
        Assert.True(negotiation.error == error.Pointer, "np_negotiation_t.error is an input: it was changed");
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void S10_a_reason_longer_than_the_buffer_is_cut_to_its_capacity(string mode, string file)
    {
        var error = new ErrorBuffer(capacity: 16);
        var (status, _, _) = RawLibrary.Negotiate(BuildLayout.Plugin(mode, file), major: NpAbi.NP_ABI_MAJOR + 1,
            error: error.Pointer);

        Assert.Equal(NpAbi.NP_ERR_VERSION, status);
        Assert.Equal(16ul, error.Length);
        Assert.Equal($"{LibraryState.SdkName}: ", error.ToString());
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void S10_a_1_1_host_struct_gets_no_reason_written(string mode, string file)
    {
        // A 1.1 host's struct ends where np_negotiation_t.error begins: what lies there (here a valid-looking buffer)
        // is not the host's, so the library must neither read nor write it.
        var error = new ErrorBuffer();
        var (status, negotiation, _) = RawLibrary.Negotiate(BuildLayout.Plugin(mode, file), major: NpAbi.NP_ABI_MAJOR + 1,
            error: error.Pointer, structSize: NpAbi.NP_SIZEOF_np_negotiation_t_1_1);

        Assert.True(NpAbi.NP_SIZEOF_np_negotiation_t_1_1 < NpAbi.NP_SIZEOF_np_negotiation_t_1_2);
        Assert.Equal(NpAbi.NP_ERR_VERSION, status);
        Assert.Equal(NpAbi.NP_ABI_MINOR, negotiation.library_abi_minor); // the 1.0 fields are still written (rule P1)
        Assert.Equal(0ul, error.Length);
        Assert.Equal(0, error.Message[0]);
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void S10_success_leaves_the_error_buffer_untouched(string mode, string file)
    {
        var error = new ErrorBuffer();
        "before"u8.CopyTo(new Span<byte>(error.Message, 6));
        error.Pointer->len = 6;
        error.Pointer->code = 42;

        var (status, _, library) = RawLibrary.Negotiate(BuildLayout.Plugin(mode, file), error: error.Pointer);

        Assert.Equal(NpAbi.NP_OK, status);
        Assert.True(library is not null);
        Assert.Equal("before", error.ToString());
        Assert.Equal(42, error.Code);
        Assert.Equal(0, error.Message[6]);
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void The_library_is_flagged_never_to_be_unloaded(string mode, string file)
    {
        // Neither a NativeAOT runtime nor the CoreCLR of a hosted plugin can be unloaded (rule H6).
        var (_, _, library) = RawLibrary.Negotiate(BuildLayout.Plugin(mode, file));

        Assert.True(library->struct_size >= NpAbi.NP_SIZEOF_np_library_t_1_2, "np_library_t.flags is beyond struct_size");
        Assert.Equal((ulong)NpAbi.NP_LIBRARY_NO_UNLOAD, library->flags);
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
        // wordfreq is stateful (IStatefulTransform): np.state/1 (ABI 1.3) comes after np.transform/1.
        bool stateful = file == "libnp_cs_wordfreq.so";
        Assert.Equal(stateful ? 2ul : 1ul, plugin->interface_count);
        if (stateful)
        {
            Assert.Equal(NpAbi.NP_STATE_ID_STRING, RawLibrary.Str(plugin->interfaces[1].id));
            Assert.Equal((uint)sizeof(np_state_v1_t), ((np_state_v1_t*)plugin->interfaces[1].vtable)->struct_size);
        }
        // interface_layouts (@since 1.2), parallel to interfaces: np.transform/1's entry gives no layout of its own
        // (fingerprint 0, no report): the ABI fingerprint covers its vtable.
        Assert.True(plugin->interface_layouts is not null, "interface_layouts: the C# SDK fills it, one entry per interface");
        Assert.Equal(0ul, plugin->interface_layouts[0].fingerprint);
        Assert.True(plugin->interface_layouts[0].report is null);
        Assert.Equal(NpAbi.NP_TRANSFORM_ID_STRING, RawLibrary.Str(plugin->interfaces[0].id));
        var vtable = (np_transform_v1_t*)plugin->interfaces[0].vtable;
        Assert.Equal((uint)sizeof(np_transform_v1_t), vtable->struct_size);
        Assert.True(vtable->create is not null && vtable->destroy is not null && vtable->process is not null
                    && vtable->flush is not null && vtable->stats is not null);
    }
}
