using NativePlugins.Interop;

namespace NativePlugins.Conformance.Harness;

/// <summary>
/// Compares a library's layout of a user interface (its np_interface_layout_t report) with the interface's contract,
/// and words the differences in the interface's terms ("the contract's minor 0"), not the ABI's ("ABI 1.0") that
/// <see cref="LayoutDifference.ToString"/> uses: an interface's minors count within its own revision.
/// </summary>
internal static unsafe class InterfaceLayout
{
    /// <summary>Reads a library's report; null with <paramref name="problem"/> set when it cannot be read.</summary>
    public static IReadOnlyList<NpStructLayout>? TryRead(IntPtr report, out string? problem)
    {
        problem = null;
        try
        {
            return NpLayoutReport.Read((np_layout_report_t*)report);
        }
        catch (MalformedLayoutReportException e)
        {
            problem = $"malformed layout report: {e.Message}";
            return null;
        }
    }

    /// <summary>The differences of <paramref name="actual"/> from the contract's layout at <paramref name="minor"/>
    /// (fields appended after that minor are fine), worded for a report.</summary>
    public static List<string> Differences(IReadOnlyList<NpStructLayout> actual, NativeInterfaceContract contract, uint minor) =>
        LayoutDiff.Compare(actual, contract.Structs, contract.Revision, minor).Select(d => Describe(d, contract, minor)).ToList();

    /// <summary>What the report has beyond the contract's newest minor: fields of the contract's structs it does not
    /// know, and structs it does not know ("acme_greeter_v1_t.shout"). Empty when the report shows nothing newer.</summary>
    public static List<string> Appended(IReadOnlyList<NpStructLayout> actual, NativeInterfaceContract contract)
    {
        var appended = new List<string>();
        foreach (var s in actual)
        {
            var known = contract.Structs.FirstOrDefault(k => k.Name == s.Name);
            if (known is null) { appended.Add(s.Name); continue; }
            var names = known.FieldsAt(contract.NewestMinor).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
            appended.AddRange(s.Fields.Where(f => !names.Contains(f.Name)).Select(f => $"{s.Name}.{f.Name}"));
        }
        return appended;
    }

    /// <summary>"acme.greeter/1 1.0 0x…, 1.1 0x…": the fingerprints a library may give.</summary>
    public static string KnownFingerprints(NativeInterfaceContract contract) =>
        string.Join(", ", Enumerable.Range(0, (int)contract.NewestMinor + 1)
            .Select(m => $"{contract.Revision}.{m} 0x{contract.Fingerprint((uint)m):x16}"));

    private static string Describe(LayoutDifference d, NativeInterfaceContract contract, uint minor)
    {
        var what = d.Field is null ? d.Struct : $"{d.Struct}.{d.Field}";
        var where = $"the contract's minor {minor}";
        return d.Kind switch
        {
            LayoutDifferenceKind.MissingStruct => $"{what}: missing from the library's layout report ({where} has it)",
            LayoutDifferenceKind.StructTooSmall => $"{what}: size {d.Actual} in the library, {d.Expected} in {where}",
            LayoutDifferenceKind.AlignmentDiffers => $"{what}: alignment {d.Actual} in the library, {d.Expected} in {where}",
            LayoutDifferenceKind.MissingField => $"{what}: missing from the library's layout ({where} has it at offset {d.Expected})",
            LayoutDifferenceKind.OffsetDiffers => $"{what}: offset {d.Actual} in the library, {d.Expected} in {where}",
            LayoutDifferenceKind.FieldSizeDiffers => $"{what}: size {d.Actual} in the library, {d.Expected} in {where}",
            LayoutDifferenceKind.UnexpectedField => $"{what}: the library has a field at offset {d.Actual} that {where} does not define there",
            _ => d.ToString(),
        };
    }
}
