using System.Runtime.InteropServices;
using NativePlugins.Generator;
using NativePlugins.Generator.Layout;
using NativePlugins.Hosting;
using NativePlugins.Interop;
using Xunit;

namespace NativePlugins.Interop.Tests;

/// <summary>Drift: a header changed in place (a field inserted in the middle of a struct, breaking the ABI) changes
/// the layout fingerprint, the drift check names the stale files, and a library compiled against the changed
/// header hands over a layout report in which LayoutDiff names the struct, the field and both offsets.</summary>
public sealed unsafe class DriftTests
{
    private const string Anchor = "    np_str_t version;            /* semantic version of the plugin: \"1.2.0\" */\n";
    private const string Inserted = Anchor + "    np_str_t category;           /* inserted by DriftTests: breaks the 1.x layout */\n";

    [Fact]
    public void Regenerating_an_unchanged_copy_reproduces_the_committed_files_byte_for_byte()
    {
        using var scratch = new ScratchHeaderSet();
        var files = GenerationPlan.Generate(scratch.Parse());
        Assert.Empty(OutputSync.Differences(RepoFiles.Root, files));
    }

    [Fact]
    public void Inserting_a_field_changes_the_fingerprints_and_the_drift_check_names_the_files()
    {
        using var scratch = new ScratchHeaderSet();
        scratch.Edit("np_entry.h", Anchor, Inserted);
        var model = scratch.Parse();

        var descriptor = model.Struct("np_plugin_descriptor_t");
        Assert.Equal(56u, descriptor.Fields.Single(f => f.Name == "category").Offset);
        Assert.Equal(104u, descriptor.Fields.Single(f => f.Name == "interfaces").Offset);
        Assert.NotEqual(NpAbi.NP_LAYOUT_FINGERPRINT_1_0, LayoutFingerprint.Compute(model, 0));
        Assert.NotEqual(NpAbi.NP_LAYOUT_FINGERPRINT_1_1, LayoutFingerprint.Compute(model, 1));

        var differences = OutputSync.Differences(RepoFiles.Root, GenerationPlan.Generate(model));
        Assert.Contains(differences, d => d.StartsWith("differs interop/layout/layout.g.json", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("differs interop/include/nplug/np_layout.g.h", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("differs interop/bindings/csharp/Generated/np_entry.g.cs", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("differs interop/bindings/rust/src/bindings.g.rs", StringComparison.Ordinal));
    }

    [Fact]
    public void A_C_library_built_against_the_changed_header_is_named_by_LayoutDiff()
    {
        using var scratch = new ScratchHeaderSet();
        scratch.Edit("np_entry.h", Anchor, Inserted);
        scratch.Regenerate(); // the scratch np_layout.g.h now has the changed layout's fingerprints and report table
        string so = scratch.CompileSharedLibrary("drift", """
            #include "nplug/nplug.h"
            NP_DEFINE_LAYOUT_REPORT(drift_layout);
            const np_layout_report_t *drift_report(void) { return &drift_layout; }
            uint64_t drift_fingerprint(void) { return NP_LAYOUT_FINGERPRINT_1_1; }
            """);

        nint lib = NativeLibrary.Load(so);
        try
        {
            var report = ((delegate* unmanaged<np_layout_report_t*>)NativeLibrary.GetExport(lib, "drift_report"))();
            ulong fingerprint = ((delegate* unmanaged<ulong>)NativeLibrary.GetExport(lib, "drift_fingerprint"))();

            // (a) what a host sees first: the fingerprint of the agreed minor differs from its own.
            Assert.NotEqual(NpAbi.NP_LAYOUT_FINGERPRINT_1_1, fingerprint);

            // (b) the report names the change: the inserted field, then every field that moved, old and new offset.
            var differences = LayoutDiff.Compare(report, 1);
            Assert.Equal(new LayoutDifference(LayoutDifferenceKind.UnexpectedField, "np_plugin_descriptor_t", "category", null, 56, 1, 1),
                differences[0]);
            Assert.Contains(new LayoutDifference(LayoutDifferenceKind.OffsetDiffers, "np_plugin_descriptor_t", "interfaces", 88, 104, 1, 1),
                differences);
            Assert.Equal(
                ["category", "description", "vendor", "interfaces", "interface_count"],
                differences.Select(d => d.Field!));
            Assert.All(differences, d => Assert.Equal("np_plugin_descriptor_t", d.Struct));
            Assert.Equal(
                "np_plugin_descriptor_t.interfaces: offset 104 in the library, 88 in ABI 1.1",
                differences.Single(d => d.Field == "interfaces").ToString());
            Assert.Equal(
                "np_plugin_descriptor_t.category: the library has a field at offset 56 that ABI 1.1 does not define there (and 4 more differences)",
                LayoutDiff.Describe(differences));

            // The same header at minor 0 breaks the same way: every minor's layout contains the descriptor.
            Assert.NotEmpty(LayoutDiff.Compare(report, 0));
        }
        finally
        {
            NativeLibrary.Free(lib);
        }
    }

    [Fact]
    public void The_host_refuses_a_plugin_library_built_against_the_changed_header_and_names_the_field()
    {
        using var scratch = new ScratchHeaderSet();
        scratch.Edit("np_entry.h", Anchor, Inserted);
        scratch.Regenerate();
        // A complete library, negotiating as every SDK does (rule P1), compiled against the drifted header set.
        string so = scratch.CompileSharedLibrary("drift_plugin", """
            #include "nplug/nplug.h"
            NP_DEFINE_LAYOUT_REPORT(drift_layout);
            static np_status NP_CDECL drift_init(const np_host_t *host, np_error_t *error) { (void)host; (void)error; return NP_OK; }
            static void NP_CDECL drift_deinit(void) {}
            static const np_plugin_descriptor_t *const drift_plugins[1] = {0};
            static const np_library_t drift_library = {
                sizeof(np_library_t), 0, {(const uint8_t *)"drift", 5}, drift_plugins, drift_init, drift_deinit};
            NP_EXPORT np_status NP_CDECL np_entry(np_negotiation_t *n, const np_library_t **out) {
                n->library_abi_major = NP_ABI_MAJOR;
                n->library_abi_minor = NP_ABI_MINOR;
                if (n->abi_major != NP_ABI_MAJOR) return NP_ERR_VERSION;
                if (n->abi_minor > NP_ABI_MINOR) n->abi_minor = NP_ABI_MINOR;
                n->layout_fingerprint = NP_LAYOUT_FINGERPRINT_FOR_MINOR(n->abi_minor);
                n->layout_report = &drift_layout;
                *out = &drift_library;
                return NP_OK;
            }
            """);

        using var host = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false });
        var refused = Assert.Throws<PluginLoadException>(() => host.Load(so));
        Assert.Equal(PluginLoadError.LayoutMismatch, refused.Reason);
        Assert.Equal(so, refused.FilePath);
        Assert.Contains("np_plugin_descriptor_t", refused.Message);
        Assert.Contains("category", refused.Message); // the inserted field is named
        Assert.Empty(host.Libraries);                  // nothing of it stays loaded
    }
}
