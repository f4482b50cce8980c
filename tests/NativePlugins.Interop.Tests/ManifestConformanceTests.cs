using NativePlugins.Interop;
using Xunit;

namespace NativePlugins.Interop.Tests;

/// <summary>The committed manifest (layout.g.json), the generated manifest data (NpAbiLayout.Structs), this C#
/// compiler's layout (NpAbiLayout.CompilerView) and the native report built from it all describe one layout.</summary>
public sealed unsafe class ManifestConformanceTests
{
    private static readonly ManifestFile Manifest = ManifestFile.Load(RepoFiles.ManifestPath);

    [Fact]
    public void Generated_manifest_data_equals_layout_json()
    {
        Assert.Equal((Manifest.Major, Manifest.Minor), (NpAbiLayout.AbiMajor, NpAbiLayout.AbiMinor));
        Assert.Equal((NpAbi.NP_ABI_MAJOR, NpAbi.NP_ABI_MINOR), (NpAbiLayout.AbiMajor, NpAbiLayout.AbiMinor));
        Assert.Equal(Manifest.Structs.Select(Describe), NpAbiLayout.Structs.Select(Describe));
    }

    [Fact]
    public void This_compilers_layout_equals_the_manifest()
    {
        // Same struct order, sizes, alignments, field names, offsets and sizes as libclang computed for the C header.
        Assert.Equal(Manifest.Structs.Select(Describe), NpAbiLayout.CompilerView.Select(Describe));
    }

    [Fact]
    public void Native_report_describes_this_compilers_layout_and_diffs_clean_for_every_minor()
    {
        np_layout_report_t* report = NpAbiLayout.CreateNativeReport();
        Assert.True(report == NpAbiLayout.CreateNativeReport(), "the report is built once");
        Assert.Equal((uint)sizeof(np_layout_report_t), report->struct_size);
        Assert.Equal(0u, report->reserved);
        var read = NpLayoutReport.Read(report);
        Assert.Equal(Manifest.Structs.Select(Shape), read.Select(Shape));
        for (uint minor = 0; minor <= NpAbiLayout.AbiMinor; minor++)
            Assert.Empty(LayoutDiff.Compare(report, minor));
    }

    [Fact]
    public void Struct_sizes_per_minor_follow_the_since_tags()
    {
        var transform = NpAbiLayout.Find("np_transform_v1_t")!;
        Assert.Equal(1u, transform.Field("stats")!.SinceMinor);
        Assert.Equal(NpAbi.NP_SIZEOF_np_transform_v1_t_1_0, transform.SizeAt(0));
        Assert.Equal(NpAbi.NP_SIZEOF_np_transform_v1_t_1_1, transform.SizeAt(1));
        Assert.Equal((uint)sizeof(np_transform_v1_t), transform.SizeAt(1));
        Assert.True(transform.SizeAt(0) < transform.SizeAt(1), "1.1 appended stats");
    }

    private static string Describe(NpStructLayout s) =>
        $"{s.Name} size {s.Size} align {s.Align} since {s.SinceMinor}: " +
        string.Join(", ", s.Fields.Select(f => $"{f.Name}:{f.CanonicalType}@{f.Offset}+{f.Size} since {f.SinceMinor}"));

    private static string Shape(NpStructLayout s) =>
        $"{s.Name} size {s.Size} align {s.Align}: " + string.Join(", ", s.Fields.Select(f => $"{f.Name}@{f.Offset}+{f.Size}"));
}
