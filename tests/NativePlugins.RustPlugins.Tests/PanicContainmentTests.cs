using Microsoft.Extensions.Logging;
using NativePlugins.Hosting;
using NativePlugins.Interop;
using NativePlugins.RustPlugins.Tests.Infrastructure;
using static NativePlugins.RustPlugins.Tests.Infrastructure.RustArtifacts;

namespace NativePlugins.RustPlugins.Tests;

/// <summary>A Rust panic never crosses the C boundary (it would abort the test process): the SDK returns NP_ERR_PANIC
/// with the panic message, poisons the instance (rule P7), and the host keeps running.</summary>
public class PanicContainmentTests
{
    private static PluginHost HostWithFixture(ListLoggerFactory? logs = null)
    {
        var host = TestHosts.Create(logs);
        host.Load(PanicLibrary);
        return host;
    }

    [Fact]
    public void A_panic_in_process_is_np_err_panic_with_the_message_and_poisons_the_instance()
    {
        var logs = new ListLoggerFactory();
        using var host = HostWithFixture(logs);
        using var instance = host.CreateTransform(PanicFixture);
        Assert.Equal(["a"], TestHosts.Process(instance, "a"));

        using var input = TestHosts.Buffer("b", "panic", "c");
        using var output = new RecordBuffer();
        var e = Assert.Throws<PluginCallException>(() => instance.Process(input, output));
        Assert.Equal(NpAbi.NP_ERR_PANIC, e.Status);
        Assert.Equal("NP_ERR_PANIC", e.StatusName);
        Assert.Equal(PanicFixture, e.PluginId);
        Assert.Contains("panicked in process: panic requested by record 1: \"panic\"", e.PluginMessage);
        Assert.Matches(@"\(at fixtures/panic/src/lib\.rs:\d+:\d+\)", e.PluginMessage);
        Assert.True(instance.IsPoisoned);
        Assert.Equal(["b"], output.ToStringList());

        // Rule P7: every later call except destroy is NP_ERR_STATE, naming the original panic.
        var again = Assert.Throws<PluginCallException>(() => TestHosts.Process(instance, "d"));
        Assert.Equal(NpAbi.NP_ERR_STATE, again.Status);
        Assert.Contains("poisoned", again.PluginMessage);
        Assert.Contains("panic requested by record 1", again.PluginMessage);
        using var flushOut = new RecordBuffer();
        Assert.Equal(NpAbi.NP_ERR_STATE, Assert.Throws<PluginCallException>(() => instance.Flush(flushOut)).Status);
        Assert.Equal(NpAbi.NP_ERR_STATE, Assert.Throws<PluginCallException>(() => instance.TryGetStats(out _)).Status);

        // The panic also reached the host logger, at error level, under the plugin's category.
        Assert.Contains(logs.Entries, l => l.Level == LogLevel.Error && l.Category == PanicFixture &&
                                           l.Message.Contains("panic requested by record 1"));

        // Destroy is still fine, and the host keeps working: a fresh instance of the same plugin runs normally.
        instance.Dispose();
        using var fresh = host.CreateTransform(PanicFixture, "trigger=boom");
        Assert.Equal(["panic", "x"], TestHosts.Run(fresh, "panic", "x"));
        Assert.False(fresh.IsPoisoned);
    }

    [Fact]
    public void Other_instances_are_not_affected_by_a_poisoned_one()
    {
        using var host = HostWithFixture();
        using var healthy = host.CreateTransform(PanicFixture);
        using var doomed = host.CreateTransform(PanicFixture);
        Assert.Throws<PluginCallException>(() => TestHosts.Process(doomed, "panic"));
        Assert.True(doomed.IsPoisoned);
        Assert.Equal(["fine"], TestHosts.Process(healthy, "fine"));
        Assert.False(healthy.IsPoisoned);
    }

    [Fact]
    public void A_panic_in_flush_is_contained_too()
    {
        using var host = HostWithFixture();
        using var instance = host.CreateTransform(PanicFixture, "panic_in=flush");
        using var input = new RecordBuffer();
        input.Append("a");
        using var output = new RecordBuffer();
        instance.Process(input, output); // open a stream: a flush without one runs no plugin code (S4)
        var e = Assert.Throws<PluginCallException>(() => instance.Flush(output));
        Assert.Equal(NpAbi.NP_ERR_PANIC, e.Status);
        Assert.Equal("flush", e.Operation);
        Assert.Contains("panicked in flush: panic requested in flush", e.PluginMessage);
        Assert.True(instance.IsPoisoned);
    }

    [Fact]
    public void A_panic_in_create_fails_the_create_and_nothing_is_left_behind()
    {
        using var host = HostWithFixture();
        var e = Assert.Throws<PluginCallException>(() => host.CreateTransform(PanicFixture, "panic_in=create"));
        Assert.Equal(NpAbi.NP_ERR_PANIC, e.Status);
        Assert.Equal("create", e.Operation);
        Assert.Contains("panicked in create: panic requested in create", e.PluginMessage);
        using var fine = host.CreateTransform(PanicFixture);
        Assert.Equal(["ok"], TestHosts.Run(fine, "ok"));
    }

    [Fact]
    public void A_panic_with_a_non_string_payload_still_gets_a_message()
    {
        using var host = HostWithFixture();
        using var instance = host.CreateTransform(PanicFixture, "payload=other");
        var e = Assert.Throws<PluginCallException>(() => TestHosts.Process(instance, "panic"));
        Assert.Equal(NpAbi.NP_ERR_PANIC, e.Status);
        Assert.Contains("a panic with a non-string payload", e.PluginMessage);
    }

    [Fact]
    public void A_panic_in_destroy_is_logged_and_dispose_returns_normally()
    {
        var logs = new ListLoggerFactory();
        using var host = HostWithFixture(logs);
        var instance = host.CreateTransform(PanicFixture, "panic_in=destroy");
        Assert.Equal(["a"], TestHosts.Run(instance, "a"));
        instance.Dispose();
        Assert.True(instance.IsDisposed);
        Assert.Contains(logs.Entries, l => l.Level == LogLevel.Error &&
                                           l.Message.Contains("panicked in destroy: panic requested in destroy"));
        using var next = host.CreateTransform(PanicFixture);
        Assert.Equal(["b"], TestHosts.Run(next, "b"));
    }

    [Fact]
    public void Many_panics_in_a_row_leave_the_host_healthy()
    {
        using var host = HostWithFixture();
        for (int i = 0; i < 200; i++)
        {
            using var instance = host.CreateTransform(PanicFixture);
            var e = Assert.Throws<PluginCallException>(() => TestHosts.Process(instance, "x", "panic"));
            Assert.Equal(NpAbi.NP_ERR_PANIC, e.Status);
        }
        Assert.Equal(0, host.Allocations.LiveAllocations);
        using var last = host.CreateTransform(PanicFixture);
        Assert.Equal(["still", "here"], TestHosts.Run(last, "still", "here"));
    }
}
