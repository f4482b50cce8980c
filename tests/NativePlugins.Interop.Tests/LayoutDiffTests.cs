using NativePlugins.Interop;
using Xunit;

namespace NativePlugins.Interop.Tests;

/// <summary>LayoutDiff on hand-made layouts: what a host must accept (a newer minor's appended fields) and what it
/// must name (moved, resized, missing fields, a too-small struct, a malformed report).</summary>
public sealed unsafe class LayoutDiffTests
{
    private static NpStructLayout Transform(params NpFieldLayout[] extra)
    {
        var t = NpAbiLayout.Find("np_transform_v1_t")!;
        var fields = t.Fields.Concat(extra).ToList();
        uint end = fields.Max(f => f.Offset + f.Size);
        return t with { Fields = fields, Size = (end + 7) / 8 * 8 };
    }

    private static List<NpStructLayout> With(NpStructLayout replacement) =>
        NpAbiLayout.Structs.Select(s => s.Name == replacement.Name ? replacement : s).ToList();

    [Fact]
    public void A_library_of_a_newer_minor_with_appended_fields_agrees()
    {
        var newer = With(Transform(new NpFieldLayout("reset", "", "", 48, 8, 2)));
        Assert.Empty(LayoutDiff.Compare(newer, NpAbiLayout.Structs, 1, 1));
    }

    [Fact]
    public void A_library_of_an_older_minor_is_fine_at_that_minor_and_too_small_at_the_newer_one()
    {
        var t = NpAbiLayout.Find("np_transform_v1_t")!;
        var older = With(t with { Fields = t.FieldsAt(0).ToList(), Size = t.SizeAt(0) });
        Assert.Empty(LayoutDiff.Compare(older, NpAbiLayout.Structs, 1, 0));
        var differences = LayoutDiff.Compare(older, NpAbiLayout.Structs, 1, 1);
        Assert.Equal(
            ["np_transform_v1_t.stats: missing from the library's layout (ABI 1.1 has it at offset 40)",
             "np_transform_v1_t: size 40 in the library, 48 in ABI 1.1"],
            differences.Select(d => d.ToString()));
    }

    [Fact]
    public void A_resized_field_and_a_changed_alignment_are_named()
    {
        var e = NpAbiLayout.Find("np_error_t")!;
        var changed = With(e with
        {
            Align = 4,
            Fields = e.Fields.Select(f => f.Name == "code" ? f with { Size = 8 } : f).ToList(),
        });
        var differences = LayoutDiff.Compare(changed, NpAbiLayout.Structs, 1, 1);
        Assert.Equal(
            ["np_error_t.code: size 8 in the library, 4 in ABI 1.1", "np_error_t: alignment 4 in the library, 8 in ABI 1.1"],
            differences.Select(d => d.ToString()));
    }

    [Fact]
    public void A_missing_struct_is_named()
    {
        var without = NpAbiLayout.Structs.Where(s => s.Name != "np_batch_t").ToList();
        var d = Assert.Single(LayoutDiff.Compare(without, NpAbiLayout.Structs, 1, 1));
        Assert.Equal(LayoutDifferenceKind.MissingStruct, d.Kind);
        Assert.Equal("np_batch_t: missing from the library's layout report (ABI 1.1 has it)", d.ToString());
    }

    [Fact]
    public void A_native_report_round_trips_and_a_changed_one_is_named()
    {
        var moved = With(Transform() with
        {
            Fields = Transform().Fields.Select(f => f.Name == "flush" ? f with { Offset = 48 } : f).ToList(),
        });
        np_layout_report_t* report = NpLayoutReport.Allocate(moved);
        var d = Assert.Single(LayoutDiff.Compare(report, 1));
        Assert.Equal((LayoutDifferenceKind.OffsetDiffers, "np_transform_v1_t", "flush", 32L, 48L),
            (d.Kind, d.Struct, d.Field, d.Expected!.Value, d.Actual!.Value));
    }

    [Fact]
    public void A_malformed_report_is_a_difference_not_a_crash()
    {
        var nullReport = Assert.Single(LayoutDiff.Compare((np_layout_report_t*)null, 1));
        Assert.Equal("malformed layout report: the layout report pointer is NULL", nullReport.ToString());

        np_layout_report_t bad = new() { struct_size = (uint)sizeof(np_layout_report_t), struct_count = 3, structs = null };
        var d = Assert.Single(LayoutDiff.Compare(&bad, 1));
        Assert.Equal(LayoutDifferenceKind.MalformedReport, d.Kind);
        Assert.Contains("structs is NULL but struct_count is 3", d.Detail);

        np_layout_report_t huge = new() { struct_size = (uint)sizeof(np_layout_report_t), struct_count = ulong.MaxValue };
        Assert.Contains("exceeds", Assert.Single(LayoutDiff.Compare(&huge, 1)).Detail);

        byte* notUtf8 = stackalloc byte[] { 0xff, 0xfe };
        np_layout_struct_t s = new() { name = new np_str_t { ptr = notUtf8, len = 2 } };
        np_layout_report_t badName = new() { struct_size = (uint)sizeof(np_layout_report_t), struct_count = 1, structs = &s };
        Assert.Equal("malformed layout report: structs[0].name is not valid UTF-8", Assert.Single(LayoutDiff.Compare(&badName, 1)).ToString());
    }
}
