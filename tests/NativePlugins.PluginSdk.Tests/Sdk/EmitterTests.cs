using NativePlugins.Interop;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.Sdk;

/// <summary>The emitter protocol implemented in C# over a host's native buffers (rule P10).</summary>
public sealed unsafe class EmitterTests
{
    [Fact]
    public void Emits_without_calling_the_host_while_the_buffers_have_room()
    {
        using var records = new NativeRecords(initialBytes: 64, initialRecords: 8);
        var emitter = new Emitter(records.Emitter);
        emitter.Emit("one"u8);
        emitter.Emit("two"u8);
        emitter.Emit(""u8);
        Assert.Equal(0, records.ReserveCalls);
        Assert.Equal(["one", "two", ""], records.Strings());
        Assert.Equal(3, emitter.Count);
        Assert.Equal(6, emitter.BytesUsed);
    }

    [Fact]
    public void Reserves_when_bytes_or_offsets_run_out_and_rereads_the_moved_buffers()
    {
        using var records = new NativeRecords(initialBytes: 2, initialRecords: 1);
        var emitter = new Emitter(records.Emitter);
        for (int i = 0; i < 100; i++)
            emitter.Emit("abcdef"u8);
        Assert.Equal(100, records.Count);
        Assert.All(records.Strings(), s => Assert.Equal("abcdef", s));
        Assert.InRange(records.ReserveCalls, 1, 20);
    }

    [Fact]
    public void A_failed_reserve_throws_a_PluginException_with_its_status_and_leaves_the_buffer_consistent()
    {
        using var records = new NativeRecords(initialBytes: 4, initialRecords: 4, maxBytes: 4);
        var emitter = new Emitter(records.Emitter);
        emitter.Emit("abcd"u8);
        PluginException e = Assert.Throws<PluginException>(() => new Emitter(records.Emitter).Emit("e"u8));
        Assert.Equal(NpAbi.NP_ERR_OUT_OF_MEMORY, e.Status);
        Assert.Equal(["abcd"], records.Strings());
        Assert.Null(Emitter.Validate(records.Emitter));
    }

    [Fact]
    public void Two_part_records_and_utf8_text()
    {
        using var records = new NativeRecords();
        var emitter = new Emitter(records.Emitter);
        emitter.Emit("key="u8, "value"u8);
        emitter.EmitUtf8("größe €");
        Assert.Equal(["key=value", "größe €"], records.Strings());
    }

    [Fact]
    public void Records_built_in_place()
    {
        using var records = new NativeRecords(initialBytes: 1);
        var emitter = new Emitter(records.Emitter);
        Span<byte> room = emitter.GetRecordBuffer(5);
        Assert.True(room.Length >= 5);
        "hello"u8.CopyTo(room);
        emitter.CommitRecord(3);
        Assert.Equal(["hel"], records.Strings());
        Assert.Throws<InvalidOperationException>(() => new Emitter(records.Emitter).CommitRecord(int.MaxValue));
    }

    [Fact]
    public void Validate_names_a_broken_host_invariant()
    {
        using var records = NativeRecords.From("a");
        Assert.Null(Emitter.Validate(records.Emitter));
        records.Emitter->offsets[1] = 9;
        Assert.Contains("offsets[count]", Emitter.Validate(records.Emitter));
        Assert.Contains("NULL", Emitter.Validate(null));
    }

    [Fact]
    public void Batches_are_validated_before_a_plugin_reads_them()
    {
        using var records = NativeRecords.From("ab", "", "c");
        Assert.Null(RecordBatch.Validate(records.Batch, out _));
        var batch = new RecordBatch(records.Batch->data, records.Batch->offsets, 3);
        Assert.Equal(3, batch.TotalBytes);
        Assert.Equal("c"u8.ToArray(), batch[2].ToArray());

        ulong* offsets = stackalloc ulong[] { 1, 2 };
        var shifted = new np_batch_t { data = records.Batch->data, offsets = offsets, count = 1 };
        Assert.Contains("offsets[0] is 1", RecordBatch.Validate(&shifted, out int status));
        Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, status);

        var empty = new np_batch_t();
        Assert.Null(RecordBatch.Validate(&empty, out _));
    }
}
