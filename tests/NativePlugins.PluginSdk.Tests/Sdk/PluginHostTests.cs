using NativePlugins.Interop;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.Sdk;

/// <summary>The SDK's wrappers over np_host_t: logging and the host allocator (rule P4).</summary>
public sealed unsafe class PluginHostTests
{
    [Fact]
    public void Log_lines_reach_the_host_with_their_level_as_utf8()
    {
        var native = new NativeTestHost("wrapped-host");
        var host = new PluginHost(native.Table);

        host.LogWarning("größe ok");
        host.Log(PluginLogLevel.Debug, new string('x', 5000)); // longer than the stack buffer

        Assert.Equal("wrapped-host", host.Name);
        Assert.Contains((NpAbi.NP_LOG_WARN, "größe ok"), native.LogLines);
        Assert.Contains(native.LogLines, l => l.Level == NpAbi.NP_LOG_DEBUG && l.Message.Length == 5000);
    }

    [Fact]
    public void Host_allocations_are_returned_to_the_host_once()
    {
        var native = new NativeTestHost();
        var host = new PluginHost(native.Table);

        HostBuffer buffer = host.Allocate(100, alignment: 64);
        Assert.Equal(1, native.LiveAllocations);
        Assert.Equal(0, (long)buffer.Pointer % 64);
        buffer.Span.Fill(7);
        buffer.Dispose();
        buffer.Dispose();

        Assert.Equal(0, native.LiveAllocations);
        Assert.Throws<ObjectDisposedException>(() => buffer.Span.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => host.Allocate(8, alignment: 3));
    }

    [Fact]
    public void A_detached_host_works_for_unit_tests_of_plugins()
    {
        PluginHost host = PluginHost.Detached;
        Assert.False(host.IsAttached);
        host.LogInfo("dropped");
        using HostBuffer buffer = host.Allocate(16);
        Assert.True(buffer.Pointer is not null);
        Assert.True(host.GetExtension("np.host.none/1") is null);
    }
}
