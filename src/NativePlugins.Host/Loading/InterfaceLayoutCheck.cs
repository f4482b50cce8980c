using System.Globalization;
using System.Runtime.CompilerServices;
using NativePlugins.Hosting.Interfaces;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Loading;

/// <summary>
/// Step 2 of the interface checks (interop/interfaces.md section 3) for a fingerprint that matches no minor of the
/// host's contract: the library's layout report decides. A report that shows only appended fields is a newer
/// library (accepted, read at the host's newest minor); anything else is a <see cref="PluginLoadError.LayoutMismatch"/>
/// naming the interface, struct and field (<c>acme.greeter/1: acme_greeter_v1_t.add: offset 40 in the library, 32
/// in the host's header</c>). A NULL or malformed report is a mismatch, never a crash. Runs only when the
/// fingerprint did not match: the common path is one comparison per minor.
/// </summary>
internal static unsafe class InterfaceLayoutCheck
{
    /// <summary>The minor to read a newer library's vtable at (the host's newest), or throws the mismatch.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static uint NewerOrRefuse(string file, string pluginId, RegisteredInterface itf, ulong fingerprint,
        np_layout_report_t* report)
    {
        var contract = itf.Contract;
        PluginLoadException Refuse(string why) =>
            new(PluginLoadError.LayoutMismatch, file, pluginId,
                $"{contract.Id}: {why}; the library's interface fingerprint 0x{fingerprint:x16} matches no minor " +
                $"of the host's header (0..{contract.NewestMinor})");

        if (report == null) throw Refuse("the library gave no layout report, so the differing struct cannot be named");
        IReadOnlyList<NpStructLayout> actual;
        try
        {
            actual = NpLayoutReport.Read(report);
        }
        catch (MalformedLayoutReportException e)
        {
            throw Refuse($"malformed layout report: {e.Message}");
        }
        var differences = LayoutDiff.Compare(actual, contract.Structs, contract.Revision, contract.NewestMinor);
        if (differences.Count > 0)
        {
            // A moved or resized field says more than a struct or field left out of the report: it comes first.
            var ordered = differences
                .OrderBy(d => d.Kind is LayoutDifferenceKind.MissingStruct or LayoutDifferenceKind.MissingField ? 1 : 0)
                .ToList();
            var more = ordered.Count > 1
                ? string.Create(CultureInfo.InvariantCulture, $" (and {ordered.Count - 1} more difference{(ordered.Count > 2 ? "s" : "")})")
                : "";
            throw Refuse(Describe(ordered[0]) + more);
        }
        if (!ShowsAppendedFields(actual, contract))
            throw Refuse("the library's layout report agrees with the host's header field by field, so a field's type " +
                   "differs where a report cannot show it (same offset and size) or the library gives a wrong fingerprint");
        return contract.NewestMinor;
    }

    /// <summary>True when the report has something the host's newest minor does not: a field after the vtable's (or
    /// another struct's) last known field, a bigger struct, or a struct the host does not know. A newer library's
    /// fingerprint differs because of exactly that.</summary>
    private static bool ShowsAppendedFields(IReadOnlyList<NpStructLayout> actual, NativeInterfaceContract contract)
    {
        foreach (var got in actual)
        {
            var want = contract.Structs.FirstOrDefault(s => s.Name == got.Name);
            if (want is null) return true;
            if (got.Size > want.SizeAt(contract.NewestMinor)) return true;
            foreach (var f in got.Fields)
                if (!want.FieldsAt(contract.NewestMinor).Any(w => w.Name == f.Name)) return true;
        }
        return false;
    }

    /// <summary>One difference in the words of interop/interfaces.md ("in the host's header", not "in ABI 1.x":
    /// the expected layout is the interface header the host's bindings were generated from).</summary>
    internal static string Describe(LayoutDifference d)
    {
        string what = d.Field is null ? d.Struct : $"{d.Struct}.{d.Field}";
        const string host = "the host's header";
        return d.Kind switch
        {
            LayoutDifferenceKind.MalformedReport => $"malformed layout report: {d.Detail}",
            LayoutDifferenceKind.MissingStruct => $"{what}: missing from the library's layout report ({host} has it)",
            LayoutDifferenceKind.StructTooSmall => $"{what}: size {d.Actual} in the library, {d.Expected} in {host}",
            LayoutDifferenceKind.AlignmentDiffers => $"{what}: alignment {d.Actual} in the library, {d.Expected} in {host}",
            LayoutDifferenceKind.MissingField => $"{what}: missing from the library's layout ({host} has it at offset {d.Expected})",
            LayoutDifferenceKind.OffsetDiffers => $"{what}: offset {d.Actual} in the library, {d.Expected} in {host}",
            LayoutDifferenceKind.FieldSizeDiffers => $"{what}: size {d.Actual} in the library, {d.Expected} in {host}",
            LayoutDifferenceKind.UnexpectedField => $"{what}: the library has a field at offset {d.Actual} that {host} does not define there",
            _ => $"{what}: {d.Kind}",
        };
    }
}
