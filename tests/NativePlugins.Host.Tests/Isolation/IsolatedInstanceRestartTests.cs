using Acme.Greeter;
using NativePlugins.Host.Tests.Interfaces;
using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Isolation.IsolatedHosts;

namespace NativePlugins.Host.Tests.Isolation;

/// <summary>
/// <see cref="NativeInstance.Restarted"/>: an isolated instance of a host's own interface (acme.greeter/1 and its
/// faults fixture) raises it, as a transform raises <see cref="TransformInstance.Restarted"/>, each time it is recreated
/// after its worker died: on the calling thread, before the call proceeds, with the restart count, the run of
/// restarts, the fault that caused it and the backoff.
/// </summary>
[Collection(GreeterCollection.Name)]
public class IsolatedInstanceRestartTests
{
    private const string Faults = "com.example.greeter.faults";

    private static PluginHost Host(PluginIsolation isolation) => new(new PluginHostOptions
    {
        UseEnvironmentSearchPath = false,
        Interfaces = [AcmeGreeterV1.Contract],
        Isolation = isolation,
        IsolationOptions = Options(),
    });

    [Fact]
    public void A_crashed_instance_raises_Restarted_with_its_count_and_the_crash_as_the_cause_before_the_next_call_proceeds()
    {
        using var host = Host(PluginIsolation.ProcessPerInstance);
        using var greeter = host.Load(Greeters.BrokenLibrary("faults")).Create<AcmeGreeterV1>(Faults);
        var seen = new List<(NativeInstanceRestartedEventArgs Args, int Thread)>();
        greeter.Restarted += (sender, e) =>
        {
            Assert.Same(greeter, sender);
            seen.Add((e, Environment.CurrentManagedThreadId));
        };
        Assert.Equal("Hello, a!", greeter.Greet("a"));
        var crash = Assert.Throws<PluginCrashedException>(() => greeter.Greet("!segv"));
        Assert.Empty(seen); // raised by the recreation, not by the crash

        Assert.Equal("Hello, b!", greeter.Greet("b"));
        var (first, thread) = Assert.Single(seen);
        Assert.Equal(Environment.CurrentManagedThreadId, thread);
        Assert.Same(greeter, first.Instance);
        Assert.Equal(Faults, first.Plugin.Id);
        Assert.Equal(1, first.Restart);
        Assert.Equal(1, first.Consecutive);
        Assert.Same(crash, first.Cause);
        Assert.Equal("SIGSEGV", Assert.IsType<PluginCrashedException>(first.Cause).SignalName);
        Assert.Equal(TimeSpan.Zero, first.Backoff);
        Assert.Equal(1ul, greeter.Count()); // only "b" since the restart

        Assert.Throws<PluginCrashedException>(() => greeter.Greet("!segv"));
        Assert.Equal(5, greeter.Add(2, 3));
        Assert.Equal(2, seen.Count);
        Assert.Equal(2, seen[1].Args.Restart);
        Assert.Equal(1, seen[1].Args.Consecutive); // "b" succeeded in between: a new run
        Assert.Equal("greet", seen[1].Args.Cause.Operation);
        Assert.Equal(2, greeter.RestartCount);
    }

    [Fact]
    public void An_instance_whose_shared_worker_another_one_crashed_raises_Restarted_at_its_own_next_call()
    {
        using var host = Host(PluginIsolation.ProcessPerLibrary);
        var library = host.Load(Greeters.BrokenLibrary("faults"));
        using var victim = library.Create<AcmeGreeterV1>(Faults);
        using var culprit = library.Create<AcmeGreeterV1>(Faults);
        var events = new List<InstanceRestartedEventArgs>();
        void Listen(object? sender, InstanceRestartedEventArgs e) => events.Add(e); // one handler for every kind
        victim.Restarted += Listen;
        culprit.Restarted += Listen;
        Assert.Equal("Hello, v!", victim.Greet("v"));
        Assert.Throws<PluginCrashedException>(() => culprit.Greet("!segv"));

        Assert.Equal(3, victim.Add(1, 2)); // its worker died between its calls: recreated now
        var e = Assert.IsType<NativeInstanceRestartedEventArgs>(Assert.Single(events));
        Assert.Same(victim, e.Instance);
        Assert.Equal(1, e.Restart);
        var cause = Assert.IsType<PluginCrashedException>(e.Cause);
        Assert.Equal("SIGSEGV", cause.SignalName);
        Assert.Equal(Faults, cause.PluginId);
        Assert.Equal(0ul, victim.Count()); // its state started over
    }
}
