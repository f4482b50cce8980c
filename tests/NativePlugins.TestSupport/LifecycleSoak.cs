using NativePlugins.Hosting;

namespace NativePlugins.TestSupport;

/// <summary>The process's footprint as the kernel reports it: resident memory (<c>VmRSS</c> of
/// <c>/proc/self/status</c>), open descriptors (<c>/proc/self/fd</c>) and memory mappings (lines of
/// <c>/proc/self/maps</c>), plus the GC heap's live and committed bytes. A library that is not unloaded leaves
/// mappings (one per segment, about five), a descriptor that is not closed stays in fd, memory that is not freed grows
/// RSS. The GC grows its committed memory to fit the allocation rate and keeps it (16 MiB over the first 10,000
/// load cycles, then flat), so <see cref="NativeKiB"/> (RSS minus GC committed) is the figure a native leak moves.</summary>
public readonly record struct ProcessFootprint(long RssKiB, int Descriptors, int Mappings, long ManagedKiB, long CommittedKiB)
{
    /// <summary>Measures now, after a full garbage collection (finalizers run: SafeHandles release their libraries).</summary>
    public static ProcessFootprint Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long rss = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                rss = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return new ProcessFootprint(rss, Directory.GetFileSystemEntries("/proc/self/fd").Length,
            File.ReadLines("/proc/self/maps").Count(), GC.GetTotalMemory(forceFullCollection: false) / 1024,
            GC.GetGCMemoryInfo().TotalCommittedBytes / 1024);
    }

    /// <summary>Resident memory that is not the GC heap's: the native heap, the libraries, the stacks.</summary>
    public long NativeKiB => RssKiB - CommittedKiB;

    /// <summary><c>this - before</c>, field by field.</summary>
    public ProcessFootprint Minus(ProcessFootprint before) =>
        new(RssKiB - before.RssKiB, Descriptors - before.Descriptors, Mappings - before.Mappings, ManagedKiB - before.ManagedKiB, CommittedKiB - before.CommittedKiB);

    /// <inheritdoc />
    public override string ToString() => $"RSS {RssKiB} KiB (native {NativeKiB} KiB), {Descriptors} fds, {Mappings} mappings, GC heap {ManagedKiB} KiB live, {CommittedKiB} KiB committed";
}

/// <summary>
/// The lifecycle soak of issue 15, shared by the test (few cycles, asserts flat figures) and the benchmark group
/// <c>lifecycle</c> (full counts, reports them): load/unload cycles of a C library, and hot reloads of a C library
/// whose file is rewritten in place between two versions. Every cycle also creates an instance and runs a batch
/// through it, so that instance and host-table memory is part of what must come back.
/// </summary>
public static class LifecycleSoak
{
    /// <summary>The C library the soak loads: the reload fixture (two builds, same plugin).</summary>
    public const string PluginId = "org.nativeplugins.fixture.reload";

    /// <summary><paramref name="cycles"/> times: load the library, create an instance, process a batch, dispose the
    /// instance and the library (deinit + dlclose).</summary>
    public static void LoadUnload(string library, int cycles)
    {
        using var host = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false });
        using var input = TestHosts.Buffer("a", "b", "c");
        using var output = new RecordBuffer();
        for (int i = 0; i < cycles; i++)
        {
            var lib = host.Load(library);
            using (var instance = lib.CreateTransform(PluginId))
            {
                output.Clear();
                instance.Process(input, output);
                instance.Flush(output);
            }
            lib.Dispose();
        }
    }

    /// <summary><paramref name="reloads"/> hot reloads of one file in <paramref name="directory"/>, alternately
    /// rewritten in place with <paramref name="versionA"/> and <paramref name="versionB"/>; a pipeline that owns its
    /// stage runs a batch after each, so it moves to every new version and the old one unloads.</summary>
    public static void Reloads(string directory, string versionA, string versionB, int reloads)
    {
        var file = Path.Combine(directory, "libnp_soak_reload.so");
        File.Copy(versionA, file, overwrite: true);
        using var host = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false, HotReload = true });
        var lib = host.Load(file);
        using var pipeline = host.CreatePipeline([new PipelineStage(PluginId)]);
        using var input = TestHosts.Buffer("a", "b", "c");
        for (int i = 0; i < reloads; i++)
        {
            File.Copy(i % 2 == 0 ? versionB : versionA, file, overwrite: true);
            lib = host.Reload(lib);
            pipeline.Process(input);
        }
        pipeline.Flush();
    }
}
