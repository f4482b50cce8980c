using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests;

/// <summary>The host side of the emitter protocol (rule H5, P10): reserve grows native buffers on demand.</summary>
public class EmitterTests
{
    [Fact]
    public void Records_larger_than_the_initial_buffer_make_the_plugin_call_reserve()
    {
        using var host = WithCPlugins();
        using var upper = host.CreateTransform(Upper);
        var big = new string('q', 300_000);
        using var input = Buffer("small", big, "", big + "é");
        using var output = new RecordBuffer(initialDataCapacity: 16, initialRecordCapacity: 1);
        upper.Process(input, output);
        Assert.True(output.ReserveCalls > 0, "the plugin never asked the host to grow the buffer");
        Assert.True(output.Growths > 0);
        Assert.Equal(["SMALL", big.ToUpperInvariant(), "", big.ToUpperInvariant() + "É"], output.ToStringList());
    }

    [Fact]
    public void Many_small_records_grow_the_offsets()
    {
        using var host = WithCPlugins();
        using var grep = host.CreateTransform(Grep, "pattern=k");
        using var input = new RecordBuffer();
        for (int i = 0; i < 10_000; i++) input.Append("k" + i);
        using var output = new RecordBuffer(initialDataCapacity: 1, initialRecordCapacity: 1);
        grep.Process(input, output);
        Assert.Equal(10_000, output.Count);
        Assert.Equal("k9999", output.GetString(9_999));
        Assert.True(output.RecordCapacity >= 10_000);
    }

    [Fact]
    public void A_refused_reserve_surfaces_as_np_err_out_of_memory()
    {
        using var host = WithCPlugins();
        using var upper = host.CreateTransform(Upper);
        using var input = Buffer(new string('a', 10_000));
        using var output = new RecordBuffer(initialDataCapacity: 64, initialRecordCapacity: 4, maxDataBytes: 1024);
        var e = Assert.Throws<PluginCallException>(() => upper.Process(input, output));
        Assert.Equal(Interop.NpAbi.NP_ERR_OUT_OF_MEMORY, e.Status);
        Assert.Equal(0, output.Count);
        // The instance and the buffer are still usable.
        using var small = Buffer("ok");
        upper.Process(small, output);
        Assert.Equal(["OK"], output.ToStringList());
    }

    [Fact]
    public unsafe void A_buffer_cannot_be_used_by_two_calls_at_once_or_disposed_during_one()
    {
        using var output = new RecordBuffer();
        int me = Environment.CurrentManagedThreadId;
        output.BeginCall(me, out var call);
        Assert.Throws<InvalidOperationException>(() => output.BeginCall(me, out _));
        Assert.Throws<InvalidOperationException>(() => output.Append("x"));
        Assert.Throws<InvalidOperationException>(() => output.Dispose());
        Assert.Null(output.EndCall(call));
        output.Append("x");
    }

    [Fact]
    public unsafe void Emitter_corruption_is_detected_and_the_output_restored()
    {
        using var output = new RecordBuffer();
        output.Append("kept");
        var e = output.BeginCall(Environment.CurrentManagedThreadId, out var call);
        // What a broken plugin could do: bump count without writing offsets, and overwrite the data pointer.
        e->count += 1;
        e->data_used += 100;
        e->data = (byte*)0x1234;
        var violation = output.EndCall(call);
        Assert.NotNull(violation);
        Assert.Equal(["kept"], output.ToStringList());
        output.Append("after");
        Assert.Equal(["kept", "after"], output.ToStringList());
    }
}
