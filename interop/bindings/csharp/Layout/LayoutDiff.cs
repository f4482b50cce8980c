// Names what differs between a library's layout report and the manifest of an ABI minor: the host calls it when
// a library's layout fingerprint does not match, to refuse the library with a reason a person can act on.
namespace NativePlugins.Interop;

public enum LayoutDifferenceKind
{
    /// <summary>The report could not be read (NULL, absurd counts, bad UTF-8).</summary>
    MalformedReport,
    /// <summary>A struct of the ABI minor is not in the report.</summary>
    MissingStruct,
    /// <summary>The struct is smaller than the ABI minor defines it.</summary>
    StructTooSmall,
    /// <summary>The struct's alignment differs.</summary>
    AlignmentDiffers,
    /// <summary>A field of the ABI minor is not in the report.</summary>
    MissingField,
    /// <summary>A field sits at another offset.</summary>
    OffsetDiffers,
    /// <summary>A field has another size.</summary>
    FieldSizeDiffers,
    /// <summary>The report has a field the ABI minor does not know, among (not after) the minor's fields:
    /// the struct was changed, not appended to.</summary>
    UnexpectedField,
}

/// <summary>One difference. Expected is the manifest's value, Actual the library's.</summary>
public sealed record LayoutDifference(
    LayoutDifferenceKind Kind, string Struct, string? Field, long? Expected, long? Actual, uint AbiMajor, uint AbiMinor, string? Detail = null)
{
    public override string ToString()
    {
        string what = Field is null ? Struct : $"{Struct}.{Field}";
        string abi = $"ABI {AbiMajor}.{AbiMinor}";
        return Kind switch
        {
            LayoutDifferenceKind.MalformedReport => $"malformed layout report: {Detail}",
            LayoutDifferenceKind.MissingStruct => $"{what}: missing from the library's layout report ({abi} has it)",
            LayoutDifferenceKind.StructTooSmall => $"{what}: size {Actual} in the library, {Expected} in {abi}",
            LayoutDifferenceKind.AlignmentDiffers => $"{what}: alignment {Actual} in the library, {Expected} in {abi}",
            LayoutDifferenceKind.MissingField => $"{what}: missing from the library's layout ({abi} has it at offset {Expected})",
            LayoutDifferenceKind.OffsetDiffers => $"{what}: offset {Actual} in the library, {Expected} in {abi}",
            LayoutDifferenceKind.FieldSizeDiffers => $"{what}: size {Actual} in the library, {Expected} in {abi}",
            LayoutDifferenceKind.UnexpectedField => $"{what}: the library has a field at offset {Actual} that {abi} does not define there",
            _ => $"{what}: {Kind}",
        };
    }
}

public static unsafe class LayoutDiff
{
    /// <summary>Compares a library's report with this ABI's manifest (<see cref="NpAbiLayout.Structs"/>) for the
    /// agreed minor. Empty when they agree; otherwise the differences in manifest order (the first names the first
    /// struct and field that differ). Never throws for a bad report: it becomes a MalformedReport difference.</summary>
    public static IReadOnlyList<LayoutDifference> Compare(np_layout_report_t* report, uint minor)
    {
        IReadOnlyList<NpStructLayout> actual;
        try
        {
            actual = NpLayoutReport.Read(report);
        }
        catch (MalformedLayoutReportException e)
        {
            return [new LayoutDifference(LayoutDifferenceKind.MalformedReport, "", null, null, null, NpAbiLayout.AbiMajor, minor, e.Message)];
        }
        return Compare(actual, NpAbiLayout.Structs, NpAbiLayout.AbiMajor, minor);
    }

    /// <summary>Compares any two layouts: <paramref name="actual"/> (a library's) against <paramref name="expected"/>
    /// (a manifest) restricted to what exists in <paramref name="minor"/>. Fields the library has beyond the
    /// minor's last field are fine (a newer minor appended them); anything else that differs is reported.</summary>
    public static IReadOnlyList<LayoutDifference> Compare(IReadOnlyList<NpStructLayout> actual, IReadOnlyList<NpStructLayout> expected,
        uint abiMajor, uint minor)
    {
        var differences = new List<LayoutDifference>();
        var byName = new Dictionary<string, NpStructLayout>(StringComparer.Ordinal);
        foreach (var s in actual) byName.TryAdd(s.Name, s);
        LayoutDifference D(LayoutDifferenceKind kind, string s, string? f, long? e, long? a) => new(kind, s, f, e, a, abiMajor, minor);

        foreach (var want in expected.Where(s => s.SinceMinor <= minor))
        {
            if (!byName.TryGetValue(want.Name, out var got))
            {
                differences.Add(D(LayoutDifferenceKind.MissingStruct, want.Name, null, null, null));
                continue;
            }
            var wantFields = want.FieldsAt(minor).ToList();
            // A field inserted among the minor's fields is the cause of the offsets that moved: name it first.
            uint end = wantFields.Select(f => f.Offset + f.Size).DefaultIfEmpty(0u).Max();
            foreach (var gf in got.Fields.Where(f => f.Offset < end && !wantFields.Any(w => w.Name == f.Name)))
                differences.Add(D(LayoutDifferenceKind.UnexpectedField, want.Name, gf.Name, null, gf.Offset));
            foreach (var wf in wantFields)
            {
                var gf = got.Field(wf.Name);
                if (gf is null) differences.Add(D(LayoutDifferenceKind.MissingField, want.Name, wf.Name, wf.Offset, null));
                else if (gf.Offset != wf.Offset) differences.Add(D(LayoutDifferenceKind.OffsetDiffers, want.Name, wf.Name, wf.Offset, gf.Offset));
                else if (gf.Size != wf.Size) differences.Add(D(LayoutDifferenceKind.FieldSizeDiffers, want.Name, wf.Name, wf.Size, gf.Size));
            }
            if (got.Size < want.SizeAt(minor))
                differences.Add(D(LayoutDifferenceKind.StructTooSmall, want.Name, null, want.SizeAt(minor), got.Size));
            if (got.Align != want.Align)
                differences.Add(D(LayoutDifferenceKind.AlignmentDiffers, want.Name, null, want.Align, got.Align));
        }
        return differences;
    }

    /// <summary>One line for an error message: the first difference, and how many more there are.</summary>
    public static string Describe(IReadOnlyList<LayoutDifference> differences) => differences.Count switch
    {
        0 => "layouts agree",
        1 => differences[0].ToString(),
        _ => $"{differences[0]} (and {differences.Count - 1} more difference{(differences.Count > 2 ? "s" : "")})",
    };
}
