using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Isolation.IsolatedHosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests.Isolation;

/// <summary>Each fault of the isolation fixtures, in a worker process: the typed error naming file, plugin and
/// signal, exit code or deadline; the batch handed back unprocessed and the output untouched; the instance recreated
/// at its next call; and the host with its other plugins (in-process and isolated) still producing correct output.</summary>
public class IsolationFaultTests
{
    [Theory]
    [InlineData(PluginIsolation.ProcessPerLibrary)]
    [InlineData(PluginIsolation.ProcessPerInstance)]
    public void A_segfault_in_process_is_a_typed_crash_and_the_batch_comes_back_unprocessed(PluginIsolation mode)
    {
        using var host = Isolated(mode);
        var file = Fixture("segv");
        host.Load(file);
        host.Load(NativeArtifacts.CText, PluginIsolation.InProcess);
        using var instance = host.CreateTransform(Segv);
        Assert.Equal(mode, instance.Isolation);
        Assert.Equal(["a", "b"], Process(instance, "a", "b"));

        using var input = Buffer("x", "segv", "y");
        using var output = Buffer("kept");
        var e = Assert.Throws<PluginCrashedException>(() => instance.Process(input, output));
        Assert.Equal(11, e.Signal);
        Assert.Equal("SIGSEGV", e.SignalName);
        Assert.Equal("process", e.Operation);
        Assert.Equal(Segv, e.PluginId);
        Assert.Equal(file, e.FilePath);
        Assert.StartsWith($"{file}: plugin '{Segv}': process crashed the worker process: killed by SIGSEGV (signal 11)", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.IsAssignableFrom<PluginCallException>(e);
        Assert.Equal(["x", "segv", "y"], e.UnprocessedInput.Select(r => System.Text.Encoding.UTF8.GetString(r)));
        Assert.Equal(["kept"], output.ToStringList()); // nothing of the failed call was emitted
        Assert.Equal(["x", "segv", "y"], input.ToStringList());
        Assert.False(e.RestartLimitReached);

        // The next call recreates the instance (an event says so) and works; the host's other plugins never noticed.
        var restarts = new List<PluginRestartedEventArgs>();
        instance.Restarted += (_, r) => restarts.Add(r);
        Assert.Equal(["x", "y"], Process(instance, "x", "y"));
        var restart = Assert.Single(restarts);
        Assert.Same(instance, restart.Instance);
        Assert.Equal(1, restart.Restart);
        Assert.Same(e, restart.Cause);
        Assert.Equal(1, instance.RestartCount);
        Hosts.AssertStillWorks(host);
    }

    [Fact]
    public void Exit_in_process_names_the_exit_code()
    {
        using var host = Isolated();
        host.Load(Fixture("exit"));
        using var instance = host.CreateTransform(Exit);
        var e = Assert.Throws<PluginCrashedException>(() => Process(instance, "exit"));
        Assert.Equal(42, e.ExitCode);
        Assert.Null(e.Signal);
        Assert.Contains("exit code 42", e.Message);
        Assert.Equal(["ok"], Process(instance, "ok"));
    }

    [Fact]
    public void A_hang_misses_its_deadline_and_the_worker_is_killed()
    {
        var deadline = TimeSpan.FromMilliseconds(300);
        using var host = Isolated(options: Options() with { CallTimeout = deadline });
        var file = Fixture("spin");
        host.Load(file);
        using var instance = host.CreateTransform(Spin);
        int pid = instance.WorkerProcessId;
        Assert.NotEqual(0, pid);
        using var input = Buffer("spin");
        using var output = new RecordBuffer();
        var e = Assert.Throws<PluginTimeoutException>(() => instance.Process(input, output));
        Assert.Equal(deadline, e.Deadline);
        Assert.Equal($"{file}: plugin '{Spin}': process missed its deadline of 300 ms; the worker process was killed; the batch was not processed", e.Message);
        Assert.Equal(["spin"], e.UnprocessedInput.Select(r => System.Text.Encoding.UTF8.GetString(r)));
        Assert.Equal(0, output.Count);
        Assert.False(Directory.Exists($"/proc/{pid}"), "the killed worker was reaped");
        Assert.Equal(["fine"], Process(instance, "fine"));
    }

    [Fact]
    public void A_leak_past_the_memory_limit_ends_in_the_plugins_abort_and_its_last_words()
    {
        using var host = Isolated(options: Options() with { MemoryLimitBytes = 192L * 1024 * 1024 });
        host.Load(Fixture("leak"));
        using var instance = host.CreateTransform(Leak);
        PluginCrashedException? e = null;
        for (int i = 0; i < 64 && e is null; i++)
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
        Assert.Equal("SIGABRT", e.SignalName);
        Assert.Equal("iso-leak: out of memory", e.LastWords);
        Assert.Contains("its last words on stderr: 'iso-leak: out of memory'", e.Message);
        Assert.Equal(["after"], Process(instance, "after"));
    }

    [Fact]
    public void The_cpu_time_limit_ends_a_spinning_worker_with_SIGXCPU()
    {
        using var host = Isolated(options: Options() with { CpuTimeLimit = TimeSpan.FromSeconds(1), CallTimeout = TimeSpan.FromMinutes(2) });
        host.Load(Fixture("spin"));
        using var instance = host.CreateTransform(Spin);
        var e = Assert.Throws<PluginCrashedException>(() => Process(instance, "spin"));
        Assert.IsNotType<PluginTimeoutException>(e);
        Assert.Equal("SIGXCPU", e.SignalName);
        Assert.Contains("CPU time limit", e.Message);
    }

    [Theory]
    [InlineData(false, "socket: ok", "exec: errno 2")]
    [InlineData(true, "socket: errno 1", "exec: errno 1")] // EPERM
    public void Restricted_mode_refuses_network_sockets_and_exec_and_keeps_unix_sockets(bool restricted, string socket, string exec)
    {
        using var host = Isolated(options: Options() with { Restricted = restricted });
        host.Load(Fixture("sandbox"));
        using var instance = host.CreateTransform("org.nativeplugins.fixture.iso-sandbox");
        Assert.Equal([socket, "unix: ok", exec], Process(instance, "socket", "unix", "exec"));
    }

    [Theory]
    [InlineData("abort_init", 6, "SIGABRT")]
    [InlineData("crash_entry", 11, "SIGSEGV")]
    public void A_crash_while_loading_is_a_typed_refusal_and_the_host_loads_the_next_library(string stem, int signal, string name)
    {
        using var host = Isolated();
        var file = Fixture(stem);
        var e = Assert.Throws<PluginLoadException>(() => host.Load(file));
        Assert.Equal(PluginLoadError.WorkerCrashed, e.Reason);
        Assert.Equal(file, e.FilePath);
        var crash = Assert.IsType<PluginCrashedException>(e.InnerException);
        Assert.Equal(signal, crash.Signal);
        Assert.Contains($"killed by {name} (signal {signal})", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(host.Libraries);
        Hosts.AssertStillWorks(host); // loads the C text library, isolated too
    }

    [Fact]
    public void After_the_restart_limit_the_instance_gives_up_with_the_same_typed_error()
    {
        using var host = Isolated(options: Options(new RestartPolicy { MaxConsecutiveRestarts = 1, InitialBackoff = TimeSpan.Zero }));
        host.Load(Fixture("segv"));
        using var instance = host.CreateTransform(Segv);
        Assert.False(Assert.Throws<PluginCrashedException>(() => Process(instance, "segv")).RestartLimitReached);
        var second = Assert.Throws<PluginCrashedException>(() => Process(instance, "segv")); // after restart 1
        Assert.True(second.RestartLimitReached);
        var third = Assert.Throws<PluginCrashedException>(() => Process(instance, "fine"));
        Assert.True(third.RestartLimitReached);
        Assert.Equal(["fine"], third.UnprocessedInput.Select(r => System.Text.Encoding.UTF8.GetString(r)));
        Assert.Equal(1, instance.RestartCount);
    }

    [Fact]
    public void Per_library_a_crash_costs_the_other_instances_of_the_library_their_state_and_nothing_else()
    {
        using var host = Isolated(PluginIsolation.ProcessPerLibrary);
        host.Load(Fixture("segv"));
        host.Load(NativeArtifacts.CCounter); // isolated in its own worker
        using var crashing = host.CreateTransform(Segv);
        using var sibling = host.CreateTransform(Segv);
        using var counter = host.CreateTransform(Hosts.Counter);
        Assert.Equal(crashing.WorkerProcessId, sibling.WorkerProcessId);
        Assert.NotEqual(crashing.WorkerProcessId, counter.WorkerProcessId);
        Process(counter, "a", "b");
        Assert.Throws<PluginCrashedException>(() => Process(crashing, "segv"));
        var restarted = 0;
        sibling.Restarted += (_, _) => restarted++;
        Assert.Equal(["s"], Process(sibling, "s"));
        Assert.Equal(1, restarted);
        using var output = new RecordBuffer();
        counter.Flush(output);
        using var reference = InProcessCounterHost();
        Assert.Equal(Run(reference, Hosts.Counter, "", "a", "b"), output.ToStringList());
    }

    private static PluginHost InProcessCounterHost()
    {
        var host = Isolated(PluginIsolation.InProcess);
        host.Load(NativeArtifacts.CCounter);
        return host;
    }

    [Fact]
    public void Plugin_failures_and_config_errors_keep_their_in_process_types_and_words()
    {
        using var isolated = Isolated();
        isolated.Load(NativeArtifacts.CText);
        using var inProcess = Isolated(PluginIsolation.InProcess);
        inProcess.Load(NativeArtifacts.CText);
        var a = Assert.Throws<PluginCallException>(() => isolated.CreateTransform(Hosts.Grep, "colour=red"));
        var b = Assert.Throws<PluginCallException>(() => inProcess.CreateTransform(Hosts.Grep, "colour=red"));
        Assert.Equal(b.StatusName, a.StatusName);
        Assert.Equal(b.PluginMessage, a.PluginMessage);
        Assert.Equal(b.Message, a.Message);
    }
}
