using System.Text;
using Acme.Greeter;
using NativePlugins.Hosting;
using NativePlugins.Interop;

namespace NativePlugins.Host.Tests.Interfaces;

/// <summary>Typed calls through the generated wrapper (Generated/csharp/Greeter.Host.g.cs) on the C greeter:
/// results, errors, poisoning, rule H4, rule H6 and the instance's own host table (interop/interfaces.md section 4).</summary>
[Collection(GreeterCollection.Name)]
public unsafe class NativeInstanceTests
{
    [Fact]
    public void Typed_calls_return_text_integers_and_the_optional_count()
    {
        using var host = Greeters.Host();
        var library = host.Load(Greeters.Library);
        using var greeter = library.Create<AcmeGreeterV1>(Greeters.Greeter, config: "greeting=Hi");
        Assert.Equal("Hi, world!", greeter.Greet("world"));
        Assert.Equal("Hi, !", greeter.Greet(""));
        Assert.Equal("Hi, Zoë 👋!", greeter.Greet("Zoë 👋"));
        Assert.Equal(5, greeter.Add(2, 3));
        Assert.Equal(-1, greeter.Add(long.MaxValue, long.MinValue));
        Assert.True(greeter.HasCount);
        Assert.Equal(3ul, greeter.Count());
        Assert.Equal("greeting=Hi", greeter.Config);
        Assert.Equal(Greeters.Greeter, greeter.Plugin.Id);
        Assert.Same(library, greeter.Library);
        Assert.Equal(1u, greeter.Interface.Minor);
    }

    [Fact]
    public void Output_bigger_than_the_stack_buffer_grows_through_reserve()
    {
        using var host = Greeters.Host();
        using var greeter = host.Load(Greeters.Library).Create<AcmeGreeterV1>(Greeters.Greeter);
        foreach (int n in new[] { 250, 251, 256, 1000, 100_000 })
        {
            var name = new string('x', n);
            Assert.Equal($"Hello, {name}!", greeter.Greet(name));
        }
    }

    [Fact]
    public void The_host_creates_through_the_generic_entry_points_too()
    {
        using var host = Greeters.Host();
        host.Load(Greeters.Library);
        using var greeter = host.Create<AcmeGreeterV1>(Greeters.Greeter);
        Assert.Equal("Hello, host!", greeter.Greet("host"));
    }

    [Fact]
    public void A_failing_status_raises_PluginCallException_with_the_plugins_message()
    {
        using var host = Greeters.Host();
        var library = host.Load(Greeters.Library);
        using var greeter = library.Create<AcmeGreeterV1>(Greeters.Greeter);
        var e = Assert.Throws<PluginCallException>(() => greeter.Add(long.MaxValue, 1));
        Assert.Equal(NpAbi.NP_ERR_INPUT, e.Status);
        Assert.Equal("add", e.Operation);
        Assert.Equal(Greeters.Greeter, e.PluginId);
        Assert.Equal("9223372036854775807 + 1 overflows int64_t", e.PluginMessage);
        Assert.False(greeter.IsPoisoned);
        Assert.Equal(3, greeter.Add(1, 2)); // an ordinary failure leaves the instance usable

        var config = Assert.Throws<PluginCallException>(() => library.Create<AcmeGreeterV1>(Greeters.Greeter, "colour=red"));
        Assert.Equal(NpAbi.NP_ERR_CONFIG, config.Status);
        Assert.Equal("create", config.Operation);
        Assert.Contains("unknown config 'colour=red'", config.PluginMessage);
        Assert.Equal(0, library.Allocations.LiveAllocations - 1); // only the live greeter's allocation
    }

    [Fact]
    public void NP_ERR_PANIC_poisons_the_instance_and_the_host_makes_no_further_call_but_destroy()
    {
        using var probe = new GreeterProbe();
        using var host = Greeters.Host();
        var greeter = host.Load(Greeters.Library).Create<AcmeGreeterV1>(Greeters.Greeter);
        var e = Assert.Throws<PluginCallException>(() => greeter.Greet("!panic"));
        Assert.Equal(NpAbi.NP_ERR_PANIC, e.Status);
        Assert.Equal("the greeter panicked on purpose", e.PluginMessage);
        Assert.True(greeter.IsPoisoned);
        var refused = Assert.Throws<PluginCallException>(() => greeter.Add(1, 2));
        Assert.Equal(NpAbi.NP_ERR_STATE, refused.Status);
        Assert.Contains("poisoned", refused.PluginMessage);
        var destroys = probe.Now.Destroys;
        greeter.Dispose();
        Assert.Equal(destroys + 1, probe.Now.Destroys);
    }

    [Fact]
    public void An_optional_function_the_plugin_lacks_is_reported_by_Has_and_throws_NotSupportedException()
    {
        using var host = Greeters.Host();
        using var old = host.Load(Greeters.Library).Create<AcmeGreeterV1>(Greeters.Old);
        Assert.False(old.HasCount);
        var e = Assert.Throws<NotSupportedException>(() => old.Count());
        Assert.Contains(Greeters.Old, e.Message);
        Assert.Contains("acme_greeter_v1_t.count", e.Message);
        Assert.Equal("Hello, old!", old.Greet("old"));
    }

    [Fact]
    public void An_instance_keeps_its_library_until_it_is_disposed_and_deinit_runs_after_the_last_destroy()
    {
        using var probe = new GreeterProbe();
        var before = probe.Now;
        var host = Greeters.Host();
        var library = host.Load(Greeters.Library);
        var first = library.Create<AcmeGreeterV1>(Greeters.Greeter);
        var second = library.Create<AcmeGreeterV1>(Greeters.Old);
        var view = library.GetInterface(Greeters.Greeter, AcmeGreeterV1.Contract);
        library.Dispose();
        host.Dispose();
        Assert.True(library.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => library.Create<AcmeGreeterV1>(Greeters.Greeter));
        Assert.Equal("Hello, still here!", first.Greet("still here"));
        Assert.True(first.Interface.Has("count")); // the instance's view outlives the library's disposal...
        Assert.Throws<ObjectDisposedException>(() => view.Has("count")); // ...the library's view does not
        first.Dispose();
        Assert.Equal(before.DeinitRuns, probe.Now.DeinitRuns); // the second instance still holds the library
        Assert.Equal(5, second.Add(2, 3));
        second.Dispose();
        var after = probe.Now;
        Assert.Equal(before.DeinitRuns + 1, after.DeinitRuns);
        Assert.Equal(0u, after.LiveAtDeinit);
        Assert.Equal(before.Creates + 2, after.Creates);
        Assert.Equal(before.Destroys + 2, after.Destroys);
        Assert.Throws<ObjectDisposedException>(() => second.Interface.Has("count"));
        second.Dispose(); // idempotent
        Assert.Equal(after.Destroys, probe.Now.Destroys);
        Assert.Throws<ObjectDisposedException>(() => second.Add(1, 1));
    }

    [Fact]
    public void Calls_on_a_single_threaded_instance_never_overlap()
    {
        using var host = Greeters.Host();
        using var greeter = host.Load(Greeters.Library).Create<AcmeGreeterV1>(Greeters.Greeter);
        Assert.Equal(PluginThreading.Single, greeter.Plugin.Threading);
        // Every greet detects an overlapping call and fails with NP_ERR_STATE; "!slow" holds each call ~1 ms.
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var wrong = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            try
            {
                for (int i = 0; i < 25; i++)
                    if (greeter.Greet("!slow") is var text && text != "Hello, !slow!") wrong.Enqueue(text);
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        Assert.Empty(failures);
        Assert.Empty(wrong);
        Assert.Equal(100ul, greeter.Count());
    }

    [Fact]
    public void The_instance_owns_its_host_table_logger_and_allocation_counters()
    {
        var logging = new ListLoggerFactory();
        using var host = Greeters.Host(logging: logging);
        var library = host.Load(Greeters.Library);
        var greeter = library.Create<AcmeGreeterV1>(Greeters.Greeter);
        Assert.Equal(1, greeter.Allocations.LiveAllocations); // the C greeter allocates itself from the host
        Assert.Equal(1, library.Allocations.LiveAllocations);
        var table = greeter.HostTable;
        var message = Encoding.UTF8.GetBytes("from the instance table");
        fixed (byte* m = message)
            table->log(table, NpAbi.NP_LOG_WARN, new np_str_t { ptr = m, len = (ulong)message.Length });
        Assert.Contains(logging.Entries, e => e.Category == Greeters.Greeter && e.Message == "from the instance table");
        greeter.Dispose();
        Assert.Equal(0, greeter.Allocations.LiveAllocations);
        Assert.Equal(1, greeter.Allocations.TotalFrees);
        Assert.Equal(0, library.Allocations.LiveAllocations);
    }

    [Fact]
    public void A_contract_other_than_the_registered_one_under_the_same_id_is_refused()
    {
        using var host = Greeters.Host();
        var library = host.Load(Greeters.Library);
        var copy = new NativeInterfaceContract("acme.greeter/1", 0, [AcmeGreeterV1.Contract.VTable with { Fields = AcmeGreeterV1.Contract.VTable.Fields.Take(6).ToList() }],
            AcmeGreeterV1.Contract.Functions.Take(4).ToList());
        var e = Assert.Throws<InvalidOperationException>(() => library.GetInterface(Greeters.Greeter, copy));
        Assert.Contains("another contract for acme.greeter/1", e.Message);
    }
}
