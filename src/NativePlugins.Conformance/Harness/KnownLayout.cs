using NativePlugins.Interop;

namespace NativePlugins.Conformance.Harness;

/// <summary>What this checker knows about the layout of each ABI minor (the generated manifest).</summary>
internal static unsafe class KnownLayout
{
    /// <summary>The layout fingerprint of ABI major.<paramref name="minor"/>, or null for a minor newer than this checker.</summary>
    public static ulong? Fingerprint(uint minor) => minor <= NpAbiLayout.AbiMinor ? NpAbiLayout.Fingerprint(minor) : null;

    /// <summary>Rule P2 problems of a library's layout report for the agreed minor: a malformed report, or any struct
    /// or field whose size or offset differs from this checker's manifest (LayoutDiff names them).</summary>
    public static List<string> ReportProblems(np_layout_report_t* report, uint agreedMinor, out int compared)
    {
        var problems = new List<string>();
        compared = 0;
        if (report->struct_size >= (uint)sizeof(np_layout_report_t) && report->reserved != 0)
            problems.Add($"np_layout_report_t.reserved is {report->reserved} (must be 0)");
        var minor = Math.Min(agreedMinor, NpAbiLayout.AbiMinor);
        var differences = LayoutDiff.Compare(report, minor);
        problems.AddRange(differences.Select(d => d.ToString()));
        if (differences.All(d => d.Kind != LayoutDifferenceKind.MalformedReport))
            compared = NpAbiLayout.Structs.Count(s => s.SinceMinor <= minor);
        return problems;
    }
}
