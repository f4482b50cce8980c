using NativePlugins.TestSupport;
using Xunit.Abstractions;

namespace NativePlugins.Host.Tests.Reload;

/// <summary>
/// Load/unload cycles and hot reloads of a C library leave the process's resident memory, descriptors and mappings
/// flat. The counts are a fraction of the benchmark group <c>lifecycle</c>'s (10,000 and 1,000), to stay well
/// under a minute; the tolerances still catch a leak per cycle: an unclosed descriptor (+1 fd per cycle), a library
/// left mapped (about +5 mappings per cycle), or a page of native memory per cycle (+4 KiB: 16 MiB over the run).
/// Memory is compared as RSS minus the GC's committed heap (<see cref="ProcessFootprint.NativeKiB"/>): the GC keeps
/// what it grew to fit the allocation rate, which is no leak. The glibc heap also settles over the first thousands of
/// cycles (the benchmark measured +8 MiB from cycle 2,000 to 10,000, then nothing to 20,000), so the figures are taken
/// over later runs of the same count: a leak grows each of them as much as the first, settling does not.
/// </summary>
[Collection(ReloadCollection.Name)]
public class LifecycleSoakTests(ITestOutputHelper output)
{
    private const int Cycles = 3000, Reloads = 1000, WarmUp = 500;

    [Fact]
    public void Load_unload_cycles_leave_rss_descriptors_and_mappings_flat()
    {
        var library = RepoLayout.Fixture("reload/libnp_fixture_reload_v1.so");
        AssertFlat(Cycles, n => LifecycleSoak.LoadUnload(library, n));
    }

    [Fact]
    public void Hot_reloads_leave_rss_descriptors_and_mappings_flat_and_no_shadow_copy_behind()
    {
        var dir = Directory.CreateTempSubdirectory("nplug-soak-").FullName;
        try
        {
            string a = RepoLayout.Fixture("reload/libnp_fixture_reload_v1.so"), b = RepoLayout.Fixture("reload/libnp_fixture_reload_v2.so");
            AssertFlat(Reloads, n => LifecycleSoak.Reloads(dir, a, b, n));
            Assert.Empty(ReloadCollection.UnmappedShadowCopies());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Warm-up, then three runs of <paramref name="cycles"/>. A leak grows every run alike; the heap settling
    /// (glibc's arenas, the GC's budget) grows the first runs and then less, unevenly. So descriptors and mappings must be
    /// flat over the last run, and native RSS over the flatter of the last two.</summary>
    private void AssertFlat(int cycles, Action<int> run)
    {
        run(WarmUp);
        var start = ProcessFootprint.Measure();
        run(cycles);
        var first = ProcessFootprint.Measure();
        run(cycles);
        var second = ProcessFootprint.Measure();
        run(cycles);
        var third = ProcessFootprint.Measure();
        var last = third.Minus(second);
        long nativeGrowth = Math.Min(second.Minus(first).NativeKiB, last.NativeKiB);
        output.WriteLine($"{WarmUp} warm-up cycles, then 3 x {cycles}: {start}; {first}; {second}; {third}");
        Assert.True(last.Descriptors <= 4, $"descriptors grew by {last.Descriptors} over {cycles} cycles ({second} -> {third})");
        Assert.True(last.Mappings <= 32, $"mappings grew by {last.Mappings} over {cycles} cycles ({second} -> {third})");
        // A page per cycle would be cycles * 4 KiB in every run; allow half of that.
        Assert.True(nativeGrowth <= 2L * cycles,
            $"native RSS grew by at least {nativeGrowth} KiB in each of the last two runs of {cycles} cycles ({first} -> {second} -> {third})");
    }
}
