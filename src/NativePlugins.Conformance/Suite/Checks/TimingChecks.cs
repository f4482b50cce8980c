using System.Diagnostics;
using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Suite.Checks;

/// <summary>Rule P12: time budgets, so a host can scan many plugins. Measured the way a host lives them (cold load in a
/// fresh process; create + destroy as a median), and retried in fresh workers before a failure stands, because one
/// measurement on a busy machine proves nothing.</summary>
internal static unsafe class TimingChecks
{
    public static readonly TimeSpan LoadBudget = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan CreateDestroyBudget = TimeSpan.FromMilliseconds(10);
    private const int Samples = 21;

    public static IEnumerable<Check> All =>
    [
        new(new("timing.load-cold", "P12",
            $"dlopen + np_entry + init in a fresh process take less than {LoadBudget.TotalMilliseconds:0} ms.",
            CheckScope.Library, "load", CheckIsolation.OwnProcess, Attempts: 3), LoadCold),
        new(new("timing.create-destroy", "P12",
            $"create + destroy take less than {CreateDestroyBudget.TotalMilliseconds:0} ms (median of {Samples}, after 3 warm-up pairs).",
            CheckScope.Transform, "transform-a", Attempts: 3), CreateDestroy),
    ];

    private static void LoadCold(CheckContext c)
    {
        if (LibraryUnderTest.IsMapped(c.LibraryPath))
            c.Skip("the library is already loaded in this process (--in-process): a cold load cannot be measured");
        // Only the native calls are timed (dlopen, np_entry, init), not the checker's own start-up.
        c.Phase("dlopen + dlsym");
        var lib = c.Library;
        c.Phase("np_entry");
        var entry = lib.Negotiate(NpAbi.NP_ABI_MAJOR, NpAbi.NP_ABI_MINOR).Elapsed;
        c.Phase("init");
        lib.EnsureInitialized();
        var init = lib.FirstInitTime ?? TimeSpan.Zero;
        var elapsed = lib.LoadTime + entry + init;
        var split = $"dlopen {lib.LoadTime.TotalMilliseconds:0.0} ms + np_entry {entry.TotalMilliseconds:0.0} ms + init {init.TotalMilliseconds:0.0} ms";
        if (elapsed > LoadBudget)
            c.Problem($"load + np_entry + init took {elapsed.TotalMilliseconds:0} ms ({split}); the budget is {LoadBudget.TotalMilliseconds:0} ms");
        c.Passed($"{elapsed.TotalMilliseconds:0.0} ms ({split})");
    }

    private static void CreateDestroy(CheckContext c)
    {
        var plugin = c.Plugin;
        using var host = new TestHost("instance", plugin.Library.AgreedMinor);
        using var error = new ErrorBuffer();
        var config = System.Text.Encoding.UTF8.GetBytes(plugin.Config);
        var times = new List<TimeSpan>();
        c.Phase($"create + destroy x {Samples + 3}");
        for (var i = 0; i < Samples + 3; i++)
        {
            np_instance_t* instance = null;
            var watch = Stopwatch.StartNew();
            var status = plugin.Api.Create(host.Table, config, &instance, error.Ptr);
            if (status != NpAbi.NP_OK || instance == null) c.Skip($"create failed: {error.Describe()} (see lifecycle.basic)");
            plugin.Api.Destroy(instance);
            if (i >= 3) times.Add(watch.Elapsed);
        }
        times.Sort();
        var median = times[times.Count / 2];
        if (median > CreateDestroyBudget)
            c.Problem($"create + destroy take {median.TotalMilliseconds:0.0} ms (median of {Samples}); the budget is {CreateDestroyBudget.TotalMilliseconds:0} ms");
        c.Passed($"median {median.TotalMilliseconds:0.000} ms, max {times[^1].TotalMilliseconds:0.000} ms");
    }
}
