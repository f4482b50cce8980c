using System.Text;
using NativePlugins.Hosting;

namespace NativePlugins.Host.Tests;

public class RecordBufferTests
{
    [Fact]
    public void Appended_records_read_back_as_spans_in_order()
    {
        using var b = new RecordBuffer();
        b.Append("alpha");
        b.Append(""u8);
        b.Append("γάμμα");
        Assert.Equal(3, b.Count);
        Assert.Equal("alpha", Encoding.UTF8.GetString(b[0]));
        Assert.Equal(0, b[1].Length);
        Assert.Equal("γάμμα", b.GetString(2));
        Assert.Equal(5 + 0 + Encoding.UTF8.GetByteCount("γάμμα"), b.DataLength);
        var seen = new List<string>();
        foreach (var r in b) seen.Add(Encoding.UTF8.GetString(r));
        Assert.Equal(["alpha", "", "γάμμα"], seen);
    }

    [Fact]
    public void Buffer_grows_past_its_initial_capacity_and_keeps_every_record()
    {
        using var b = new RecordBuffer(initialDataCapacity: 4, initialRecordCapacity: 1);
        var expected = Enumerable.Range(0, 500).Select(i => new string((char)('a' + i % 26), i % 97)).ToList();
        foreach (var s in expected) b.Append(s);
        Assert.Equal(expected, b.ToStringList());
        Assert.True(b.Growths > 0);
        Assert.True(b.DataCapacity >= b.DataLength);
        Assert.True(b.RecordCapacity >= b.Count);
    }

    [Fact]
    public void Clear_empties_and_keeps_capacity()
    {
        using var b = new RecordBuffer(16, 2);
        for (int i = 0; i < 100; i++) b.Append("xxxxxxxx");
        var capacity = b.DataCapacity;
        b.Clear();
        Assert.Equal(0, b.Count);
        Assert.Equal(0, b.DataLength);
        Assert.Equal(capacity, b.DataCapacity);
        Assert.True(b.AsBatch().IsEmpty);
    }

    [Fact]
    public void Limit_is_enforced()
    {
        using var b = new RecordBuffer(initialDataCapacity: 8, initialRecordCapacity: 1, maxDataBytes: 16);
        b.Append("12345678");
        b.Append("12345678");
        Assert.Throws<InsufficientMemoryException>(() => b.Append("x"));
        Assert.Equal(2, b.Count);
    }

    [Fact]
    public void Empty_batch_and_default_batch_are_safe()
    {
        Assert.Equal(0, RecordBatch.Empty.Count);
        Assert.Equal(0, RecordBatch.Empty.DataLength);
        Assert.Equal(0, default(RecordBatch).DataLength);
        Assert.Empty(default(RecordBatch).ToStringList());
        Assert.Throws<ArgumentOutOfRangeException>(() => RecordBatch.Empty[0].Length);
    }

    [Fact]
    public unsafe void Corrupt_offsets_are_detected_instead_of_reading_outside_the_data()
    {
        var data = stackalloc byte[4];
        var offsets = stackalloc ulong[] { 0, 3, 1, 4 }; // record 1 ends before it starts
        var batch = new RecordBatch(data, offsets, 3);
        Assert.Equal(3, batch[0].Length);
        Assert.Throws<InvalidOperationException>(() => batch[1].Length);
        Assert.Equal(3, batch[2].Length);
    }

    [Fact]
    public void Dispose_is_idempotent_and_use_after_dispose_throws()
    {
        var b = new RecordBuffer();
        b.Append("x");
        b.Dispose();
        b.Dispose();
        Assert.Throws<ObjectDisposedException>(() => b.Count);
        Assert.Throws<ObjectDisposedException>(() => b.Append("y"));
    }

    [Fact]
    public unsafe void A_buffer_in_a_call_on_one_thread_is_refused_to_a_call_on_another_and_free_again_after()
    {
        using var b = new RecordBuffer();
        int me = Environment.CurrentManagedThreadId;
        b.BeginCall(me, out var call); // this thread now owns the buffer: plain stores only

        Exception? refused = null;
        var other = new Thread(() =>
        {
            try
            {
                b.BeginCall(Environment.CurrentManagedThreadId, out _);
            }
            catch (Exception e)
            {
                refused = e;
            }
        });
        other.Start();
        other.Join();
        Assert.IsType<InvalidOperationException>(refused);
        Assert.Throws<InvalidOperationException>(() => b.Append("x")); // still in the owner's call
        Assert.Throws<InvalidOperationException>(() => b.BeginCall(me, out _)); // nested on the owner thread

        Assert.Null(b.EndCall(call));
        b.Append("x");
        BufferCall second = default;
        var again = new Thread(() => b.BeginCall(Environment.CurrentManagedThreadId, out second));
        again.Start();
        again.Join();
        Assert.False(second.Owner); // the bias was revoked: the other thread took the shared flag
        Assert.Throws<InvalidOperationException>(() => b.BeginCall(me, out _));
        Assert.Null(b.EndCall(second));
        b.BeginCall(me, out var third);
        Assert.False(third.Owner);
        Assert.Null(b.EndCall(third));
    }
}
