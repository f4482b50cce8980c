using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Suite.Checks;

/// <summary>The entry function itself (rule P1: an exported function) and rule P3: np_entry is pure and cheap, and
/// init/deinit may be repeated.</summary>
internal static unsafe class EntryChecks
{
    /// <summary>Rule P3's budget for one np_entry call.</summary>
    public static readonly TimeSpan EntryBudget = TimeSpan.FromMilliseconds(50);

    public static IEnumerable<Check> All =>
    [
        new(new("entry.exported", "P1",
            "The file loads and exports np_entry as a FUNCTION symbol (not data) that the dynamic loader resolves.",
            CheckScope.Library, "library"), Exported),
        new(new("entry.deterministic", "P3",
            "Repeated np_entry calls hand over the same descriptors (ids, names, versions, interfaces, vtables).",
            CheckScope.Library, "library"), Deterministic),
        new(new("entry.fast", "P3",
            $"A warm np_entry call takes less than {EntryBudget.TotalMilliseconds:0} ms (median of 5; the first, cold call is timing.load-cold's).",
            CheckScope.Library, "library", Attempts: 3), Fast),
        new(new("entry.no-host-calls", "P3",
            "np_entry never calls the host, not even through a table kept from an earlier init.",
            CheckScope.Library, "library"), NoHostCalls),
        new(new("library.init-deinit", "P3",
            "init may be called again while initialised (the same file loaded twice) and after deinit; the library ref-counts and stays usable.",
            CheckScope.Library, "init", CheckIsolation.OwnProcess), InitDeinit),
    ];

    private static void Exported(CheckContext c)
    {
        var path = Path.GetFullPath(c.LibraryPath);
        var symbol = ElfExports.Find(path, NpAbi.NP_ENTRY_SYMBOL_STRING);
        if (symbol is { Found: false })
            c.Problem($"'{NpAbi.NP_ENTRY_SYMBOL_STRING}' is not in the dynamic symbol table (.dynsym) of {Path.GetFileName(path)}");
        else if (symbol is { IsFunction: false } s)
            c.Problem($"'{NpAbi.NP_ENTRY_SYMBOL_STRING}' is exported as {s.Description}; it must be a function");
        else if (symbol is { Visibility: not 0 } v)
            c.Problem($"'{NpAbi.NP_ENTRY_SYMBOL_STRING}' has non-default visibility ({v.Visibility})");
        try
        {
            _ = c.Library;
        }
        catch (LibraryUnusableException e)
        {
            c.Fail(e.Message);
        }
        c.Passed(symbol is null ? "np_entry resolves (the file has no dynamic symbol table this reader understands: symbol type not inspected)" : "np_entry is an exported FUNC symbol and resolves");
    }

    private static void Deterministic(CheckContext c)
    {
        var lib = c.Library;
        string? first = null;
        IntPtr firstPointer = 0;
        for (var call = 1; call <= 3; call++)
        {
            c.Phase($"np_entry call {call}");
            var o = lib.Negotiate(NpAbi.NP_ABI_MAJOR, NpAbi.NP_ABI_MINOR);
            if (!o.Accepted || o.Library is not { } p || p == 0)
            {
                c.Problem($"np_entry call {call} returned {Status.Name(o.Status)}" + (o.Accepted ? " without *out_library" : ""));
                continue;
            }
            var text = LibrarySnapshot.Read((np_library_t*)p, lib.MemoryCheck()).Canonical() + $"minor={o.AbiMinorAfter} fingerprint={o.Fingerprint:X}";
            if (first is null) { first = text; firstPointer = p; continue; }
            if (text != first)
            {
                c.Problem($"np_entry call {call} handed over different descriptors than call 1: {LibrarySnapshot.Difference(first, text)}");
                break;
            }
            if (p != firstPointer) c.Note($"call {call} returned another np_library_t pointer with the same content");
        }
        c.Passed("3 np_entry calls, identical descriptors");
    }

    private static void Fast(CheckContext c)
    {
        var lib = c.Library;
        lib.Negotiate(NpAbi.NP_ABI_MAJOR, NpAbi.NP_ABI_MINOR); // the cold call (runtime start-up) is not P3's business
        var times = new List<TimeSpan>();
        for (var i = 0; i < 5; i++) times.Add(lib.Negotiate(NpAbi.NP_ABI_MAJOR, NpAbi.NP_ABI_MINOR).Elapsed);
        times.Sort();
        var median = times[times.Count / 2];
        if (median > EntryBudget)
            c.Problem($"np_entry takes {median.TotalMilliseconds:0.0} ms (median of 5 warm calls; budget {EntryBudget.TotalMilliseconds:0} ms)");
        c.Passed($"median {median.TotalMilliseconds:0.000} ms, max {times[^1].TotalMilliseconds:0.000} ms");
    }

    private static void NoHostCalls(CheckContext c)
    {
        var lib = c.InitializedLibrary; // a library that kept init's table could (wrongly) use it from np_entry
        for (var i = 0; i < 3; i++)
        {
            var o = lib.Negotiate(NpAbi.NP_ABI_MAJOR, NpAbi.NP_ABI_MINOR);
            foreach (var call in o.HostCalls) c.Problem(call);
        }
        c.Passed("3 np_entry calls after init, no host call");
    }

    private static void InitDeinit(CheckContext c)
    {
        var lib = c.Library;
        var library = lib.Library;
        if (library->init == null || library->deinit == null) c.Skip("init or deinit is NULL (see descriptor.library)");
        var transforms = TransformPlugins(c, lib);

        bool Init(string step)
        {
            c.Phase(step);
            var host = new TestHost("library", lib.AgreedMinor);
            using var error = new ErrorBuffer();
            var status = library->init(host.Table, error.Ptr);
            if (status == NpAbi.NP_OK) return true;
            c.Problem($"{step}: init returned {Status.Name(status)}: {error.Describe()}");
            return false;
        }

        void Deinit(string step)
        {
            c.Phase(step);
            library->deinit();
        }

        void Use(string step)
        {
            foreach (var api in transforms)
            {
                c.Phase($"{step}: create + destroy");
                using var host = new TestHost("instance", lib.AgreedMinor);
                using var error = new ErrorBuffer();
                np_instance_t* instance = null;
                var status = api.Api.Create(host.Table, api.Config, &instance, error.Ptr);
                if (status == NpAbi.NP_OK && instance != null) api.Api.Destroy(instance);
                else c.Problem($"{step}: create on {api.Id} returned {Status.Name(status)}: {error.Describe()}");
            }
        }

        if (!Init("first init")) return;
        if (Init("second init while initialised (the same file loaded twice)"))
        {
            Deinit("first deinit (one load remains)");
            Use("after one of two deinits");
        }
        Deinit("last deinit");
        if (Init("init again after deinit"))
        {
            Use("after re-init");
            Deinit("final deinit");
        }
        c.Passed($"init, init, deinit, deinit, init, deinit: every init NP_OK{(transforms.Count > 0 ? ", instances work in between" : "")}");
    }

    /// <summary>The transform plugins of the library with their vtables (for checks that create instances without the
    /// per-plugin context).</summary>
    internal static List<PluginUnderTest> TransformPlugins(CheckContext c, LibraryUnderTest lib)
    {
        var list = new List<PluginUnderTest>();
        foreach (var p in lib.Snapshot.Plugins)
        {
            if (p.Find(NpAbi.NP_TRANSFORM_ID_STRING) is not { } iface || iface.Vtable == 0) continue;
            var api = new TransformApi(iface.Vtable);
            if (api.IsComplete) list.Add(new PluginUnderTest(lib, p, api, c.Settings.ConfigFor(p.DisplayId)));
        }
        return list;
    }
}
