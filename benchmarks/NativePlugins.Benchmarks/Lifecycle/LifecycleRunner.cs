using System.Diagnostics;
using System.Text.Json;
using NativePlugins.TestSupport;

namespace NativePlugins.Benchmarks.Lifecycle;

/// <summary>
/// The group <c>lifecycle</c> (issue 15): load/unload cycles and hot reloads of a C library at full counts
/// (10,000 and 1,000 by default), with the process's RSS, descriptor and mapping counts before and after
/// (<see cref="ProcessFootprint"/>, after a full GC) and the time per cycle. The cycles are
/// <see cref="LifecycleSoak"/>'s, the same the test <c>LifecycleSoakTests</c> asserts flat at smaller counts.
/// Not a BenchmarkDotNet group: the figure is what is left behind, measured once, in this process.
/// </summary>
public static class LifecycleRunner
{
    private const int WarmUp = 200;

    public static int Run(string outFile, int cycles, int reloads)
    {
        var v1 = RepoLayout.Fixture("reload/libnp_fixture_reload_v1.so");
        var v2 = RepoLayout.Fixture("reload/libnp_fixture_reload_v2.so");
        var dir = Directory.CreateTempSubdirectory("nplug-lifecycle-").FullName;
        try
        {
            var loadUnload = Measure("load/unload", cycles, n => LifecycleSoak.LoadUnload(v1, n));
            var reload = Measure("hot reload", reloads, n => LifecycleSoak.Reloads(dir, v1, v2, n));
            var json = JsonSerializer.Serialize(new { LoadUnload = loadUnload, Reload = reload },
                new JsonSerializerOptions { WriteIndented = true });
            File.WriteAllText(outFile, json);
            Console.WriteLine(json);
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public sealed record Figures(int Cycles, ProcessFootprint Before, ProcessFootprint After, ProcessFootprint Growth,
        double MicrosecondsPerCycle);

    private static Figures Measure(string what, int cycles, Action<int> run)
    {
        run(WarmUp); // JIT, allocator pools, loader caches
        var before = ProcessFootprint.Measure();
        var sw = Stopwatch.StartNew();
        run(cycles);
        sw.Stop();
        var after = ProcessFootprint.Measure();
        Console.Error.WriteLine($"lifecycle: {what}: {cycles} cycles, {before} -> {after}");
        return new Figures(cycles, before, after, after.Minus(before), sw.Elapsed.TotalMicroseconds / cycles);
    }
}
