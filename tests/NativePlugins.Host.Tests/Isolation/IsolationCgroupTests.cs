using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using Xunit.Abstractions;
using static NativePlugins.Host.Tests.Isolation.IsolatedHosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests.Isolation;

/// <summary>
/// <see cref="IsolationOptions.ResidentMemoryLimitBytes"/>: each worker in a memory cgroup of its own. Seen from
/// outside the host, through the worker's <c>/proc/&lt;pid&gt;/cgroup</c> and the cgroup's own files: the worker is in
/// <c>nplug-worker.&lt;host pid&gt;.&lt;n&gt;</c> with the limit set, a leak past it is an OOM kill reported as such, the
/// instance restarts in a new cgroup, and no cgroup is left once the host is gone. Where this system gives the
/// host no cgroup to use, the load must be refused with the typed reason instead (never run without the limit).
/// </summary>
public class IsolationCgroupTests(ITestOutputHelper output)
{
    private const long Limit = 64L * 1024 * 1024;

    [Fact]
    public void A_leak_past_the_resident_memory_limit_is_an_oom_kill_of_the_worker_alone()
    {
        string? cgroup;
        using (var host = Isolated(options: Options() with { ResidentMemoryLimitBytes = Limit }))
        {
            try
            {
                host.Load(Fixture("leak"));
            }
            catch (PluginLoadException refused) when (refused.Reason == PluginLoadError.IsolationLimitUnavailable)
            {
                output.WriteLine($"no usable memory cgroup here: {refused.Message}");
                Assert.Contains("cgroup", refused.Message);
                Assert.DoesNotContain('\n', refused.Message);
                return;
            }
            host.Load(NativeArtifacts.CText, PluginIsolation.InProcess);
            using var instance = host.CreateTransform(Leak);
            Assert.Equal(["a"], Process(instance, "a"));
            cgroup = CgroupOf(instance.WorkerProcessId);
            output.WriteLine($"worker {instance.WorkerProcessId} in {cgroup}");
            Assert.StartsWith($"nplug-worker.{Environment.ProcessId}.", Path.GetFileName(cgroup));
            Assert.Equal(Limit, LimitOf(cgroup));

            // 16 MiB touched per "leak": the 4th passes 64 MiB. RLIMIT_AS is not set, so malloc never fails: only
            // the cgroup can end it, with SIGKILL.
            PluginCrashedException? e = null;
            for (int i = 0; i < 16 && e is null; i++)
            {
                try
                {
                    Process(instance, "leak");
                }
                catch (PluginCrashedException crash)
                {
                    e = crash;
                }
            }
            Assert.NotNull(e);
            Assert.True(e.MemoryLimitReached);
            Assert.Equal(9, e.Signal);
            Assert.Contains("OOM killer, at the worker's memory limit (IsolationOptions.ResidentMemoryLimitBytes", e.Message);
            Assert.Equal(["leak"], e.UnprocessedInput.Select(r => System.Text.Encoding.UTF8.GetString(r)));
            Assert.False(Directory.Exists(cgroup), "the dead worker's cgroup is removed");

            // Restarted in a cgroup of its own; the host and its in-process plugin never noticed.
            Assert.Equal(["after"], Process(instance, "after"));
            var second = CgroupOf(instance.WorkerProcessId);
            Assert.NotEqual(cgroup, second);
            Assert.Equal(Limit, LimitOf(second));
            Hosts.AssertStillWorks(host);
            cgroup = second;
        }
        Assert.False(Directory.Exists(cgroup), "disposing the host removes its workers' cgroups");
    }

    [Fact]
    public void A_cgroup_parent_that_cannot_hold_workers_is_a_typed_refusal_naming_it()
    {
        var notACgroup = Directory.CreateTempSubdirectory("nplug-not-a-cgroup-").FullName;
        try
        {
            foreach (var (parent, why) in new[]
            {
                (notACgroup, "memory"),
                (Path.Combine(notACgroup, "missing"), "does not exist"),
            })
            {
                using var host = Isolated(options: Options() with { ResidentMemoryLimitBytes = Limit, CgroupParent = parent });
                var file = Fixture("leak");
                var e = Assert.Throws<PluginLoadException>(() => host.Load(file));
                Assert.Equal(PluginLoadError.IsolationLimitUnavailable, e.Reason);
                Assert.StartsWith(file + ": ", e.Message);
                Assert.Contains(parent, e.Message);
                Assert.Contains(why, e.Message);
                Assert.DoesNotContain('\n', e.Message);
                // The host keeps running and loads the next library.
                host.Load(NativeArtifacts.CText, PluginIsolation.InProcess);
                Hosts.AssertStillWorks(host);
            }
            Assert.Empty(Directory.EnumerateFileSystemEntries(notACgroup)); // no directory was left behind
        }
        finally
        {
            Directory.Delete(notACgroup, recursive: true);
        }
    }

    /// <summary>The directory of a live process's memory cgroup: v1's memory hierarchy, else the unified one.</summary>
    private static string CgroupOf(int pid)
    {
        var lines = File.ReadAllLines($"/proc/{pid}/cgroup").Select(l => l.Split(':', 3)).ToArray();
        var v1 = lines.FirstOrDefault(p => p[1].Split(',').Contains("memory"));
        var dir = v1 is not null ? "/sys/fs/cgroup/memory" + v1[2] : "/sys/fs/cgroup" + lines.Single(p => p[0] == "0")[2];
        Assert.True(Directory.Exists(dir), dir);
        return dir;
    }

    private static long LimitOf(string cgroup)
    {
        var v2 = Path.Combine(cgroup, "memory.max");
        return long.Parse(File.ReadAllText(File.Exists(v2) ? v2 : Path.Combine(cgroup, "memory.limit_in_bytes")).Trim(),
            System.Globalization.CultureInfo.InvariantCulture);
    }
}
