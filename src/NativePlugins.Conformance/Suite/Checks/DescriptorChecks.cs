using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Suite.Checks;

/// <summary>Rule P2: descriptors are complete and well-formed. Split by struct so that a report points at the part
/// that is wrong; every problem found is listed, not just the first.</summary>
internal static unsafe class DescriptorChecks
{
    private const string Group = "library";

    public static IEnumerable<Check> All =>
    [
        new(new("descriptor.library", "P2",
            "np_library_t: struct_size at least its ABI 1.0 size, init/deinit non-NULL, at least one plugin, no NULL entries, sdk UTF-8.",
            CheckScope.Library, Group), Library),
        new(new("descriptor.plugins", "P2",
            "Each plugin descriptor: struct_size, a unique reverse-DNS id of at most 128 bytes, a non-empty UTF-8 name, a semantic version, UTF-8 strings, a known threading model.",
            CheckScope.Library, Group), Plugins),
        new(new("descriptor.interfaces", "P2",
            "Each plugin lists at least one interface, ids name/revision and unique per plugin, vtables non-NULL; np.transform/1 vtables have their required functions.",
            CheckScope.Library, Group), Interfaces),
        new(new("descriptor.layout-report", "P2",
            "The layout report, when handed over, is well-formed and matches this checker's layout for every struct and field both know.",
            CheckScope.Library, Group), LayoutReport),
    ];

    private static void Library(CheckContext c)
    {
        var s = c.Library.Snapshot;
        c.AddProblems(s.Problems);
        c.Passed($"{s.PluginCount} plugin(s), sdk '{(s.Sdk is null ? "?" : NativeText.Show(s.Sdk))}'");
    }

    private static void Plugins(CheckContext c)
    {
        var s = c.Library.Snapshot;
        foreach (var p in s.Plugins) c.AddProblems(p.Problems);
        c.Passed(string.Join(", ", s.Plugins.Select(p => $"{p.DisplayId} {(p.Version is null ? "" : NativeText.Show(p.Version))} ({p.ThreadingName})")));
    }

    private static void Interfaces(CheckContext c)
    {
        var s = c.Library.Snapshot;
        foreach (var p in s.Plugins) c.AddProblems(p.InterfaceProblems);
        c.Passed(string.Join(", ", s.Plugins.Select(p => $"{p.DisplayId}: {string.Join(" ", p.Interfaces.Select(i => i.DisplayId))}")));
    }

    private static void LayoutReport(CheckContext c)
    {
        var o = c.Library.Negotiate(NpAbi.NP_ABI_MAJOR, NpAbi.NP_ABI_MINOR);
        if (!o.Accepted) c.Skip($"np_entry refuses ABI {o.Host} (see negotiation.current)");
        var address = o.LayoutReport ?? 0;
        if (address == 0) c.Skip("the library hands over no layout report (it is optional)");
        var problems = KnownLayout.ReportProblems((np_layout_report_t*)address, o.AbiMinorAfter, out var compared);
        c.AddProblems(problems);
        c.Passed($"{compared} struct(s) compared with this checker's layout of ABI {NpAbi.NP_ABI_MAJOR}.{o.AbiMinorAfter}");
    }
}
