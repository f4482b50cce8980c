using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using NativePlugins.Benchmarks.Infrastructure;
using NativePlugins.Benchmarks.Loading;
using NativePlugins.Hosting;

namespace NativePlugins.Benchmarks.Probes;

/// <summary>
/// What runs inside one fresh child process (<c>probe cold|rss &lt;target-key&gt;</c>): things that can only be
/// measured once per process. The host's own code is warmed first (the benchmark plugin is loaded, run and
/// unloaded), so the numbers are the plugin's, not the JIT's work on the host library. Prints one JSON object.
/// </summary>
public static class ProbeChild
{
    public static int Run(string kind, string key)
    {
        var target = PluginTargets.Get(key);
        WarmHost();
        object result = kind switch
        {
            "cold" => Cold(target),
            "rss" => Rss(target),
            _ => throw new ArgumentException($"unknown probe '{kind}' (cold, rss)"),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>Load (dlopen + negotiation + validation + init: a NativeAOT plugin starts its runtime at its first
    /// exported call, a hosted one boots or joins CoreCLR), create, first process, then a second (warm) process.</summary>
    private static ColdStartSample Cold(PluginTarget target)
    {
        using var host = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false });
        using var input = new RecordBuffer(256, 4);
        input.Append(target.Record);
        using var output = new RecordBuffer(4096, 64);

        long t0 = Stopwatch.GetTimestamp();
        host.Load(target.Path);
        long t1 = Stopwatch.GetTimestamp();
        using var instance = host.CreateTransform(target.PluginId, target.Config);
        long t2 = Stopwatch.GetTimestamp();
        instance.Process(input, output);
        long t3 = Stopwatch.GetTimestamp();
        output.Clear();
        instance.Process(input, output);
        long t4 = Stopwatch.GetTimestamp();
        return new ColdStartSample(Ms(t0, t1), Ms(t1, t2), Ms(t2, t3), Ms(t0, t3), Ms(t3, t4));
    }

    /// <summary>Resident memory added by loading the library, creating one instance and running one batch.</summary>
    private static RssSample Rss(PluginTarget target)
    {
        var host = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false });
        using var input = new RecordBuffer(256, 4);
        input.Append(target.Record);
        using var output = new RecordBuffer(4096, 64);
        long before = SettledRssKiB();
        host.Load(target.Path);
        long loaded = SettledRssKiB();
        using var instance = host.CreateTransform(target.PluginId, target.Config);
        instance.Process(input, output);
        long running = SettledRssKiB();
        instance.Dispose();
        host.Dispose();
        var (steadyBare, steadyHost) = SteadyRss(target.Path);
        return new RssSample(loaded - before, running - before, steadyBare, steadyHost);
    }

    /// <summary>What each further load of the library costs once the process has settled: medians of 5 alternating
    /// cycles of a bare <see cref="NativeLibrary.Load(string)"/> and a <see cref="PluginHost.Load"/>, each measured after
    /// a full GC and unloaded again. The first load of a fresh process also pays one-time costs (GC heap growth, first
    /// use of host code paths) that the first columns include. Null for libraries that stay mapped (a reload would
    /// only bump a reference count).</summary>
    private static (long? Bare, long? Host) SteadyRss(string path)
    {
        if (MappedFiles.IsMapped(path)) return (null, null);
        var bare = new List<long>();
        var hosted = new List<long>();
        for (int i = 0; i < 5; i++)
        {
            long r0 = SettledRssKiB();
            var handle = NativeLibrary.Load(path);
            long r1 = SettledRssKiB();
            NativeLibrary.Free(handle);
            bare.Add(r1 - r0);

            using var host = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false });
            long r2 = SettledRssKiB();
            host.Load(path);
            long r3 = SettledRssKiB();
            hosted.Add(r3 - r2);
        }
        bare.Sort();
        hosted.Sort();
        return (bare[bare.Count / 2], hosted[hosted.Count / 2]);
    }

    private static void WarmHost()
    {
        using var host = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false });
        host.Load(BenchPaths.BenchPlugin);
        using var input = new RecordBuffer(256, 4);
        input.Append("warm up");
        using var output = new RecordBuffer(4096, 64);
        using var instance = host.CreateTransform(BenchPlugins.Count);
        instance.Process(input, output);
        instance.TryGetStats(out _);
    }

    private static long SettledRssKiB()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]);
        throw new InvalidOperationException("no VmRSS in /proc/self/status");
    }

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}

/// <summary>One cold start, in milliseconds.</summary>
public sealed record ColdStartSample(double LoadMs, double CreateMs, double FirstProcessMs, double TotalMs, double WarmProcessMs);

/// <summary>Resident memory deltas, in KiB.</summary>
public sealed record RssSample(long LoadKiB, long LoadCreateProcessKiB, long? SteadyBareKiB = null, long? SteadyHostKiB = null);
