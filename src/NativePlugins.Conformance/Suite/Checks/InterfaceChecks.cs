using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Suite.Checks;

/// <summary>
/// Generic checks of a user interface (interop/interfaces.md) against the contract the run was given
/// (<c>--interface &lt;manifest&gt;</c>): what a host checks at load (section 3: struct_size, the interface layout,
/// required functions), made strict and exhaustive, plus the instance lifecycle every interface with @create/@destroy
/// shares. They know nothing of what the interface's methods do; a plugin's own tests cover that.
/// </summary>
internal static unsafe class InterfaceChecks
{
    private const string Group = "interface";

    /// <summary>create + destroy cycles of interface.lifecycle.</summary>
    public const int Cycles = 50;

    /// <summary>A config that a plugin's own format is unlikely to accept: the lifecycle check uses it to see a failing
    /// create (which must carry a message). A plugin that accepts it is not wrong; the check then notes it.</summary>
    public const string RefusedConfig = "nplug-check-unknown-key=1";

    public static IEnumerable<Check> All =>
    [
        new(new("interface.vtable-size", "P2",
            "The vtable's struct_size is at least the vtable's size at the interface's minor 0 (the host refuses a smaller one as StructTooSmall); reserved is 0.",
            CheckScope.Interface, Group), VtableSize),
        new(new("interface.required-functions", "P2",
            "Every function the contract marks required (\"Never NULL\") that struct_size covers is non-NULL (the host refuses a NULL one as NullFunction).",
            CheckScope.Interface, Group), RequiredFunctions),
        new(new("interface.layout", "P2",
            "The interface_layouts entry: a fingerprint of a minor the contract knows (and a report that agrees), or else a layout report that only appends fields; skipped for fingerprint 0.",
            CheckScope.Interface, Group), Layout),
        new(new("interface.lifecycle", "P8",
            $"For interfaces with @create/@destroy: create with the (empty) config and destroy, destroy(NULL) is a no-op, {Cycles} create/destroy cycles, host allocations balanced after destroy (P4), a failing create carries a message (P5).",
            CheckScope.Interface, Group), Lifecycle),
    ];

    private static void VtableSize(CheckContext c)
    {
        var i = c.Interface;
        var contract = i.Contract;
        var size = i.StructSize;
        if (size < contract.MinimumSize)
            c.Problem($"{i.Where}: struct_size is {size}, smaller than {contract.VTable.Name} at minor 0 ({contract.MinimumSize}): " +
                      $"a host refuses it (StructTooSmall)");
        if (size >= 8 && i.Reserved != 0) c.Problem($"{i.Where}: reserved is {i.Reserved} (must be 0)");
        if (size > contract.Size)
            c.Note($"struct_size {size} is larger than {contract.VTable.Name} at the contract's newest minor ({contract.Size}): " +
                   "the library knows a newer minor; a host ignores the fields beyond what it knows (rule H2)");
        var minor = Enumerable.Range(0, (int)contract.NewestMinor + 1).LastOrDefault(m => contract.VTable.SizeAt((uint)m) <= size);
        c.Passed($"struct_size {size}: covers {contract.Id} minor {minor} (sizes: {string.Join(", ",
            Enumerable.Range(0, (int)contract.NewestMinor + 1).Select(m => $"{contract.Revision}.{m} {contract.VTable.SizeAt((uint)m)}"))})");
    }

    private static void RequiredFunctions(CheckContext c)
    {
        var i = c.Interface;
        var contract = i.Contract;
        var required = contract.Functions.Where(f => f.Required).ToList();
        var covered = required.Where(i.Covers).ToList();
        if (covered.Count == 0 && required.Count > 0)
            c.Skip($"struct_size {i.StructSize} ends before every required function (see interface.vtable-size)");
        foreach (var f in covered.Where(f => i.Function(f) == 0))
            c.Problem($"{i.Where}: {f.Name} is NULL (offset {f.Offset}; required: \"Never NULL\"): a host refuses it (NullFunction)");
        var optional = contract.Functions.Where(f => !f.Required).Select(f =>
            $"{f.Name} {(!i.Covers(f) ? "beyond struct_size" : i.Function(f) == 0 ? "NULL" : "present")}").ToList();
        c.Passed($"{covered.Count} required function(s) non-NULL ({string.Join(", ", covered.Select(f => f.Name))})" +
                 (optional.Count > 0 ? $"; optional: {string.Join(", ", optional)}" : ""));
    }

    private static void Layout(CheckContext c)
    {
        var i = c.Interface;
        var contract = i.Contract;
        var layout = i.Entry.Layout;
        if (layout is null)
        {
            var field = NpAbiLayout.Find("np_plugin_descriptor_t")?.Field("interface_layouts");
            c.Skip(field is not null && i.Plugin.StructSize < field.Offset + field.Size
                ? $"the plugin descriptor's struct_size {i.Plugin.StructSize} ends before interface_layouts (a 1.0/1.1 descriptor): no layout to check"
                : "np_plugin_descriptor_t.interface_layouts is NULL: the library gives no interface layouts");
            return;
        }
        if (layout.Fingerprint == 0)
            c.Skip($"the interface_layouts entry of {contract.Id} has fingerprint 0 (not given): a host checks struct_size and NULLs only");

        IReadOnlyList<NpStructLayout>? report = null;
        if (layout.Report != 0)
        {
            c.Phase("read the interface's layout report");
            report = InterfaceLayout.TryRead(layout.Report, out var unreadable);
            if (unreadable is not null) c.Problem($"{i.Where}: {unreadable}");
        }

        var fingerprint = $"0x{layout.Fingerprint:x16}";
        if (contract.MinorOf(layout.Fingerprint) is { } minor)
        {
            // A matching fingerprint with a report that says otherwise: a host that names differences would name wrong ones.
            if (report is not null)
                foreach (var d in InterfaceLayout.Differences(report, contract, minor))
                    c.Problem($"{i.Where}: the layout report disagrees with the fingerprint of minor {minor}: {d}");
            c.Passed($"fingerprint {fingerprint} is {contract.Id} minor {minor}" +
                     (report is null ? " (no layout report given)" : $"; the layout report agrees ({report.Count} struct(s))"));
            return;
        }

        if (layout.Report == 0)
            c.Fail($"{i.Where}: fingerprint {fingerprint} is no minor of the contract ({InterfaceLayout.KnownFingerprints(contract)}) " +
                   "and the library gives no layout report to say what differs");
        if (report is null) return; // unreadable: the problem is recorded
        var differences = InterfaceLayout.Differences(report, contract, contract.NewestMinor);
        foreach (var d in differences) c.Problem($"{i.Where}: {d}");
        if (differences.Count > 0)
        {
            c.Note($"fingerprint {fingerprint} is no minor of the contract ({InterfaceLayout.KnownFingerprints(contract)})");
            return;
        }
        var appended = InterfaceLayout.Appended(report, contract);
        // Same fields, offsets and sizes as the newest minor, yet another fingerprint: what differs is something a
        // report cannot show (a field's type), or the fingerprint itself is wrong. A host would accept it; P2 does not.
        if (appended.Count == 0)
            c.Fail($"{i.Where}: fingerprint {fingerprint} is no minor of the contract ({InterfaceLayout.KnownFingerprints(contract)}), " +
                   $"yet the layout report shows exactly minor {contract.NewestMinor}'s layout: the fingerprint is wrong or a field changed its type");
        c.Passed($"fingerprint {fingerprint} is newer than the contract: the layout report only appends to minor {contract.NewestMinor} " +
                 $"({string.Join(", ", appended.Take(5))}{(appended.Count > 5 ? ", …" : "")})");
    }

    private static void Lifecycle(CheckContext c)
    {
        var i = c.Interface;
        var contract = i.Contract;
        if (!contract.HasInstances) c.Skip($"{contract.Id} has no @create/@destroy: it has no instances");
        if (!i.CanCreate)
            c.Skip($"create or destroy is NULL or beyond struct_size {i.StructSize} (see interface.required-functions, interface.vtable-size)");
        var minor = i.Library.AgreedMinor;
        long allocations = 0;

        // One table per instance, so that a leak is attributed to the instance's destroy.
        IntPtr Create(string config, string scenario, TestHost host, bool mustSucceed)
        {
            using var error = new ErrorBuffer();
            var instance = IntPtr.Zero;
            c.Phase($"{scenario}: create");
            var status = i.Create(host.Table, config, &instance, error.Ptr);
            if (status == NpAbi.NP_OK)
            {
                foreach (var change in error.ChangesAfterSuccess()) c.Problem($"{scenario}: create succeeded but wrote the error buffer: {change}");
                if (instance == 0) c.Problem($"{scenario}: create returned NP_OK but left *out_instance NULL");
                return instance;
            }
            var shown = config.Length == 0 ? "the empty config" : $"config '{config}'";
            foreach (var p in error.ProblemsAfterFailure()) c.Problem($"{scenario}: create with {shown} returned {Status.Name(status)}: {p}");
            if (mustSucceed)
                c.Fail($"{scenario}: create with {shown} returned {Status.Name(status)}: {error.Describe()} " +
                       "(give the plugin a config it accepts with --config <id>=<config>)");
            return 0;
        }

        void Destroy(IntPtr instance, string scenario, TestHost host)
        {
            c.Phase($"{scenario}: destroy");
            i.Destroy(instance);
            allocations += host.Allocations;
            foreach (var p in host.Problems) c.Problem($"{scenario}: {p}");
            var outstanding = host.Outstanding;
            if (outstanding.Count > 0)
                c.Problem($"{scenario}: {outstanding.Count} host allocation(s) not freed when destroy returned " +
                          $"({string.Join(", ", outstanding.Take(3).Select(b => $"{b.Size} bytes align {b.Align}"))}{(outstanding.Count > 3 ? ", …" : "")})");
        }

        using (var host = new TestHost("instance", minor))
        {
            var instance = Create(i.Config, "create + destroy", host, mustSucceed: true);
            if (instance != 0) Destroy(instance, "create + destroy", host);
        }

        c.Phase("destroy(NULL)");
        i.Destroy(0);

        var ran = 0;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (; ran < Cycles && c.Problems.Count == 0; ran++)
        {
            if (watch.Elapsed > c.WorkBudget)
            {
                c.Note($"ran {ran} of {Cycles} create/destroy cycles within the time budget");
                break;
            }
            using var host = new TestHost("instance", minor);
            var instance = Create(i.Config, $"cycle {ran + 1} of {Cycles}", host, mustSucceed: true);
            if (instance != 0) Destroy(instance, $"cycle {ran + 1} of {Cycles}", host);
        }

        string refused;
        using (var host = new TestHost("instance", minor))
        {
            var instance = Create(RefusedConfig, "a create that should fail", host, mustSucceed: false);
            if (instance != 0)
            {
                Destroy(instance, "a create that should fail", host);
                refused = $"config '{RefusedConfig}' was accepted, so no failing create was seen";
            }
            else
            {
                allocations += host.Allocations;
                foreach (var p in host.Problems) c.Problem($"a failing create: {p}");
                if (host.Outstanding.Count > 0)
                    c.Problem($"a failing create left {host.Outstanding.Count} host allocation(s) behind");
                refused = $"a failing create (config '{RefusedConfig}') carried a message";
            }
        }

        foreach (var stale in TestHost.DrainStaleCalls()) c.Problem(stale);
        c.Passed($"create with {i.ConfigShown} + destroy, destroy(NULL), {ran} cycles; " +
                 (allocations == 0 ? "no host allocations" : $"{allocations} host allocation(s), all freed by destroy") + $"; {refused}");
    }
}
