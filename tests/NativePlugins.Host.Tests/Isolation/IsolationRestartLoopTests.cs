using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Isolation.IsolatedHosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests.Isolation;

/// <summary>Runs alone (no other test opens descriptors meanwhile), so that the process's descriptors can be
/// counted exactly.</summary>
[CollectionDefinition(nameof(IsolationRestartLoop), DisableParallelization = true)]
public sealed class IsolationRestartLoop;

/// <summary>Crash/restart cycles leave nothing behind: no zombie child, no descriptor (/proc/self/fd: a channel, a
/// region socket), no mapping of a worker channel or shared record buffer (/proc/self/maps).</summary>
[Collection(nameof(IsolationRestartLoop))]
public class IsolationRestartLoopTests
{
    /// <summary>Each cycle: a batch that crashes the worker, then a batch that restarts it and runs.</summary>
    public const int Cycles = 1000;

    [Fact]
    public void Crash_restart_cycles_leave_no_zombie_descriptor_or_mapping()
    {
        // One warm-up cycle first: the runtime opens descriptors of its own on first use (the spawner thread, libc).
        RunCycles(1);
        var before = Descriptors();
        RunCycles(Cycles);
        var after = Descriptors();
        Assert.Empty(Zombies());
        // The runtime (or another test's finalizer) may close a descriptor of its own meanwhile; a leak of a cycle
        // would leave Cycles of them: no more than before, in total and of each kind a worker uses.
        Assert.True(after.Count <= before.Count, $"{after.Count} descriptors after the cycles, {before.Count} before");
        foreach (var kind in new[] { "anon_inode:[pidfd]", "anon_inode:[eventfd]", "pipe:", "socket:" })
        {
            int was = before.Count(t => t.StartsWith(kind, StringComparison.Ordinal));
            int now = after.Count(t => t.StartsWith(kind, StringComparison.Ordinal));
            Assert.True(now <= was, $"{now} descriptors {kind} after the cycles, {was} before");
        }
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/maps"), l => l.Contains("memfd:nplug-", StringComparison.Ordinal));
        Assert.DoesNotContain(Directory.GetFiles("/proc/self/fd").Select(Target), t => t.Contains("memfd:nplug-", StringComparison.Ordinal));
    }

    private static void RunCycles(int cycles)
    {
        using var host = Isolated(PluginIsolation.ProcessPerInstance,
            Options(new RestartPolicy { InitialBackoff = TimeSpan.Zero, MaxConsecutiveRestarts = 1 }));
        host.Load(Fixture("segv"));
        using var instance = host.CreateTransform(Segv);
        // Every other cycle through shared record buffers: each new worker is handed their memfds again.
        using var input = RecordBuffer.CreateShared();
        using var output = RecordBuffer.CreateShared();
        for (int i = 0; i < cycles; i++)
        {
            if (i % 2 == 0)
            {
                Assert.Throws<PluginCrashedException>(() => Process(instance, "segv"));
                Assert.Equal(["ok"], Process(instance, "ok"));
                continue;
            }
            input.Clear();
            input.Append("segv");
            output.Clear();
            Assert.Throws<PluginCrashedException>(() => instance.Process(input, output));
            Assert.Equal(0, output.Count);
            input.Clear();
            input.Append("ok");
            instance.Process(input, output);
            Assert.Equal(["ok"], output.ToStringList());
        }
        Assert.Equal(cycles, instance.RestartCount);
    }

    /// <summary>Children of this process that are zombies (state Z in /proc/&lt;pid&gt;/stat).</summary>
    private static List<string> Zombies()
    {
        var self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var zombies = new List<string>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            // pid (comm) state ppid ...: comm may hold spaces, so parse after the last ')'.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (rest[1] == self && rest[0] == "Z") zombies.Add(stat);
        }
        return zombies;
    }

    private static List<string> Descriptors() => Directory.GetFiles("/proc/self/fd").Select(Target).ToList();

    private static string Target(string fd)
    {
        try
        {
            return new FileInfo(fd).LinkTarget ?? "";
        }
        catch (IOException)
        {
            return "";
        }
    }
}
