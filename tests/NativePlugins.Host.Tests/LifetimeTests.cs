using System.Runtime.CompilerServices;
using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests;

/// <summary>Rule H6: instances keep their library; deinit after the last instance; disposal idempotent and safe
/// from the finalizer.</summary>
public class LifetimeTests
{
    [Fact]
    public void An_instance_keeps_its_library_usable_after_the_library_and_host_are_disposed()
    {
        var host = WithCPlugins();
        var library = host.GetLibrary(Upper);
        var upper = host.CreateTransform(Upper);
        host.Dispose();
        Assert.True(library.IsDisposed);
        Assert.Empty(host.Libraries);
        using (var input = Buffer("still here"))
        using (var output = new RecordBuffer())
        {
            upper.Process(input, output);
            Assert.Equal(["STILL HERE"], output.ToStringList());
        }
        upper.Dispose();
        Assert.Throws<ObjectDisposedException>(() => library.CreateTransform(Upper));
    }

    [Fact]
    public void Dispose_is_idempotent_and_calls_after_it_throw_ObjectDisposedException()
    {
        using var host = WithCPlugins();
        var upper = host.CreateTransform(Upper);
        upper.Dispose();
        upper.Dispose();
        using var output = new RecordBuffer();
        Assert.Throws<ObjectDisposedException>(() => upper.Process(RecordBatch.Empty, output));
        Assert.Throws<ObjectDisposedException>(() => upper.Flush(output));
        Assert.Throws<ObjectDisposedException>(() => upper.TryGetStats(out _));
        var library = host.GetLibrary(Upper);
        library.Dispose();
        library.Dispose();
        host.Dispose();
        host.Dispose();
        Assert.Throws<ObjectDisposedException>(() => host.Load(NativeArtifacts.CText));
    }

    [Fact]
    public void A_disposed_library_frees_its_ids_so_the_file_can_be_loaded_again()
    {
        using var host = WithCPlugins();
        host.GetLibrary(Upper).Dispose();
        Assert.False(host.TryGetPlugin(Upper, out _));
        var again = host.Load(NativeArtifacts.CText);
        AssertStillWorks(host);
        Assert.Contains(again, host.Libraries);
    }

    [Fact]
    public void An_instance_nobody_disposed_is_destroyed_by_the_finalizer()
    {
        using var host = WithCPlugins();
        var counters = CreateAndDrop(host);
        Assert.True(counters.TotalAllocations > 0);
        for (int i = 0; i < 10 && counters.LiveAllocations != 0; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.Equal(0, counters.LiveAllocations);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static AllocationCounters CreateAndDrop(PluginHost host)
    {
        var counter = host.CreateTransform(Counter, "per_value=true");
        using var input = Buffer("a", "b");
        using var output = new RecordBuffer();
        counter.Process(input, output);
        return counter.Allocations;
    }

    [Fact]
    public void Loading_the_same_file_into_two_hosts_works_independently()
    {
        using var a = Create();
        using var b = Create();
        a.Load(NativeArtifacts.CText);
        b.Load(NativeArtifacts.CText);
        a.Dispose();
        AssertStillWorks(b);
    }
}
