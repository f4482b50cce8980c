using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using NativePlugins.Hosting.Records;
using NativePlugins.Hosting.Threading;
using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>
/// A growable set of records in host-owned native memory, in the ABI's batch layout. It is both
/// <list type="bullet">
/// <item>an input builder: <see cref="Append(ReadOnlySpan{byte})"/> records, then pass it to
/// <see cref="TransformInstance.Process(RecordBuffer, RecordBuffer)"/>;</item>
/// <item>an output target: plugins write into it through its <c>np_emitter_t</c> (a bounds check and a
/// <c>memcpy</c> per record; the host is entered only when the buffers must grow).</item>
/// </list>
/// Because batch and emitter share a layout, a buffer one stage wrote is the next stage's input without a copy.
/// Not thread-safe: one call at a time uses a buffer (a concurrent use throws).
/// </summary>
public sealed unsafe class RecordBuffer : IDisposable
{
    /// <summary>Default initial data capacity (bytes).</summary>
    public const int DefaultDataCapacity = 64 * 1024;

    /// <summary>Default initial record capacity.</summary>
    public const int DefaultRecordCapacity = 1024;

    private EmitterBlock* _block;

    // In use by a plugin call: _ownerBusy is the owner thread's flag (plain stores), _sharedBusy everyone else's
    // (compare-exchange), after the owner bias was revoked. Two flags, so neither side can overwrite the other's.
    private OwnerBias _bias;
    private int _ownerBusy;
    private int _sharedBusy;

    /// <summary>Creates an empty buffer.</summary>
    /// <param name="initialDataCapacity">Bytes allocated up front.</param>
    /// <param name="initialRecordCapacity">Records allocated up front.</param>
    /// <param name="maxDataBytes">Growth limit: a plugin's reserve beyond it fails with NP_ERR_OUT_OF_MEMORY.</param>
    /// <param name="maxRecords">Growth limit on the number of records.</param>
    public RecordBuffer(int initialDataCapacity = DefaultDataCapacity, int initialRecordCapacity = DefaultRecordCapacity,
        long maxDataBytes = int.MaxValue, int maxRecords = int.MaxValue - 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialDataCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(initialRecordCapacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDataBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        _block = EmitterBlock.Create((ulong)Math.Min(initialDataCapacity, maxDataBytes),
            (ulong)Math.Min(initialRecordCapacity, maxRecords), (ulong)maxDataBytes, (ulong)maxRecords);
    }

    private RecordBuffer(EmitterBlock* block) => _block = block;

    /// <summary>
    /// Creates an empty buffer in shared memory: its data and offsets are two memfds (sealed against shrinking) that
    /// the worker process of an isolated plugin (<see cref="PluginHostOptions.Isolation"/>) maps as well. A batch of
    /// this buffer then crosses into a worker without a copy, and an isolated call whose output is this buffer
    /// emits straight into it; with ordinary buffers each call copies its batch in and its output out. Everything
    /// else is as for <see cref="RecordBuffer(int, int, long, int)"/>, in-process plugins included. A
    /// <see cref="Pipeline"/> with isolated stages makes its own buffers shared. The worker can write what it was
    /// handed for as long as it lives, so read records that come from an untrusted plugin once (copy, then check),
    /// or use <see cref="IsolationOptions.Restricted"/>, whose workers are never handed host memory. Linux only.
    /// </summary>
    /// <inheritdoc cref="RecordBuffer(int, int, long, int)" path="/param"/>
    public static RecordBuffer CreateShared(int initialDataCapacity = DefaultDataCapacity, int initialRecordCapacity = DefaultRecordCapacity,
        long maxDataBytes = int.MaxValue, int maxRecords = int.MaxValue - 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialDataCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(initialRecordCapacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDataBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        return new RecordBuffer(EmitterBlock.CreateShared((ulong)Math.Min(initialDataCapacity, maxDataBytes),
            (ulong)Math.Min(initialRecordCapacity, maxRecords), (ulong)maxDataBytes, (ulong)maxRecords));
    }

    /// <summary>True when the records live in shared memory (<see cref="CreateShared"/>).</summary>
    public bool IsShared => Block->Shared != 0;

    /// <summary>The block, for an isolated call that emits into this (shared) buffer in its worker.</summary>
    internal EmitterBlock* SharedBlock => Block->Shared != 0 ? Block : null;

    /// <summary>Releases the native memory if the buffer was not disposed.</summary>
    ~RecordBuffer() => Release();

    /// <summary>Number of records.</summary>
    public int Count => (int)Block->Emitter.count;

    /// <summary>Bytes of all records.</summary>
    public long DataLength => (long)Block->Emitter.data_used;

    /// <summary>Bytes allocated for record data.</summary>
    public long DataCapacity => (long)Block->DataCapacity;

    /// <summary>Records that fit before the offsets must grow.</summary>
    public long RecordCapacity => (long)Block->OffsetsCapacity - 1;

    /// <summary>How many times a buffer grew (by <see cref="Append(ReadOnlySpan{byte})"/> or a plugin's reserve).</summary>
    public long Growths => (long)Block->Growths;

    /// <summary>How many times plugins called <c>reserve</c> on this buffer.</summary>
    public long ReserveCalls => (long)Block->ReserveCalls;

    /// <summary>Record <paramref name="index"/> (a span over native memory: valid until the buffer changes).</summary>
    public ReadOnlySpan<byte> this[int index] => AsBatch()[index];

    /// <summary>A view of the records (valid until the buffer changes).</summary>
    public RecordBatch AsBatch()
    {
        var b = Block;
        return new RecordBatch(b->Data, b->Offsets, checked((int)b->Emitter.count), b->Emitter.data_used);
    }

    /// <summary>Enumerates the records as spans.</summary>
    public RecordBatch.Enumerator GetEnumerator() => AsBatch().GetEnumerator();

    /// <summary>Record <paramref name="index"/> decoded as UTF-8.</summary>
    public string GetString(int index) => Encoding.UTF8.GetString(this[index]);

    /// <summary>All records decoded as UTF-8 (allocates; for tests and tools).</summary>
    public List<string> ToStringList() => AsBatch().ToStringList();

    /// <summary>Removes every record; keeps the capacity.</summary>
    public void Clear()
    {
        var b = Block;
        ThrowIfInUse();
        b->Emitter.count = 0;
        b->Emitter.data_used = 0;
        b->Offsets[0] = 0;
    }

    /// <summary>Appends one record.</summary>
    public void Append(ReadOnlySpan<byte> record)
    {
        var b = Block;
        ThrowIfInUse();
        ulong n = (ulong)record.Length;
        if (b->DataCapacity - b->Emitter.data_used < n || b->OffsetsCapacity - b->Emitter.count < 2)
        {
            if (b->Grow(n, 1) != NpAbi.NP_OK)
                throw new InsufficientMemoryException(
                    $"record buffer limit reached ({b->MaxDataBytes} bytes, {b->MaxRecords} records)");
        }
        record.CopyTo(new Span<byte>(b->Data + b->Emitter.data_used, record.Length));
        b->Emitter.data_used += n;
        b->Offsets[++b->Emitter.count] = b->Emitter.data_used;
    }

    /// <summary>Appends a string as one UTF-8 record.</summary>
    public void Append(string record)
    {
        var max = Encoding.UTF8.GetMaxByteCount(record.Length);
        byte[]? rented = null;
        Span<byte> buf = max <= 1024 ? stackalloc byte[max] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        try
        {
            Append(buf[..Encoding.UTF8.GetBytes(record, buf)]);
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Appends every record of a batch.</summary>
    public void AppendRange(RecordBatch batch)
    {
        foreach (var r in batch) Append(r);
    }

    /// <summary>Appends <paramref name="count"/> records in batch layout (offsets[0] == 0) in one go: one growth at
    /// most, one copy of the data. What an isolated instance uses to hand over the output of its worker.</summary>
    internal void AppendNative(byte* data, ulong* offsets, ulong count)
    {
        var b = Block;
        ThrowIfInUse();
        ulong bytes = offsets[count];
        if (b->DataCapacity - b->Emitter.data_used < bytes || b->OffsetsCapacity - b->Emitter.count < count + 1)
        {
            if (b->Grow(bytes, count) != NpAbi.NP_OK)
                throw new InsufficientMemoryException(
                    $"record buffer limit reached ({b->MaxDataBytes} bytes, {b->MaxRecords} records)");
        }
        ulong used = b->Emitter.data_used, first = b->Emitter.count;
        if (bytes > 0) Buffer.MemoryCopy(data, b->Data + used, bytes, bytes);
        ulong* o = b->Offsets + first;
        for (ulong i = 1; i <= count; i++) o[i] = used + offsets[i];
        b->Emitter.data_used = used + bytes;
        b->Emitter.count = first + count;
    }

    /// <summary>Frees the native memory. Idempotent.</summary>
    public void Dispose()
    {
        if (InUse)
            throw new InvalidOperationException("the record buffer is in use by a plugin call");
        Release();
        GC.SuppressFinalize(this);
    }

    // ---- used by TransformInstance around a call --------------------------------------------------------------

    /// <summary>The emitter for a plugin call. Marks the buffer in use and re-establishes the invariants of rule H5
    /// (offsets_capacity >= count + 1, offsets[count] == data_used). The thread that uses the buffer first owns it
    /// and marks it with plain stores (see <see cref="OwnerBias"/>); other threads use a compare-exchange.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal np_emitter_t* BeginCall(int thread, out BufferCall call)
    {
        var b = Block;
        bool owner = TryMarkOwnerBusy(thread) || BeginCallShared(thread);
        b->Publish();
        ulong count = b->Emitter.count, used = b->Emitter.data_used;
        b->Offsets[count] = used;
        call = new BufferCall(count, used, owner);
        return &b->Emitter;
    }

    /// <inheritdoc cref="EndCall(in BufferCall, out bool)"/>
    internal string? EndCall(in BufferCall call) => EndCall(call, out _);

    /// <summary>Ends a plugin call. Returns null when the plugin kept the emitter protocol (rule P10); otherwise
    /// restores the buffer to its state before the call and returns what was broken. <paramref name="overran"/>: the
    /// plugin wrote past a capacity (the guard after it was overwritten), so its memory is suspect.</summary>
    internal string? EndCall(in BufferCall call, out bool overran)
    {
        var b = _block;
        overran = false;
        try
        {
            ulong count = b->Emitter.count, used = b->Emitter.data_used;
            if (b->GuardsIntact && b->HostFieldsIntact(b) && count >= call.CountBefore && used >= call.UsedBefore &&
                count < b->OffsetsCapacity && used <= b->DataCapacity && b->Offsets[count] == used &&
                count <= int.MaxValue - 1)
                return null;
            overran = !b->GuardsIntact;
            return Restore(b, call);
        }
        finally
        {
            if (call.Owner) Volatile.Write(ref _ownerBusy, 0);
            else Volatile.Write(ref _sharedBusy, 0);
        }
    }

    /// <summary>The slow half of <see cref="BeginCall"/>: claims the bias on first use, otherwise revokes it (once
    /// per buffer) so that the owner's flag is visible, then takes the shared flag. False: the shared flag was taken.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool BeginCallShared(int thread)
    {
        if (_bias.TryClaim(thread) && TryMarkOwnerBusy(thread)) return true;
        _bias.Revoke(thread);
        if (Volatile.Read(ref _ownerBusy) != 0 || Interlocked.CompareExchange(ref _sharedBusy, 1, 0) != 0)
            ThrowBusy();
        return false;
    }

    /// <summary>The owner's path: publish the busy flag with a plain store, then confirm the bias still holds
    /// (see <see cref="OwnerBias"/>). False when this thread is not the owner or the bias was revoked meanwhile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryMarkOwnerBusy(int thread)
    {
        if (!_bias.IsOwner(thread)) return false;
        if (_ownerBusy != 0) ThrowBusy(); // a nested call on the same thread
        Volatile.Write(ref _ownerBusy, 1);
        if (_bias.StillOwner(thread)) return true;
        Volatile.Write(ref _ownerBusy, 0); // revoked between the two reads
        return false;
    }

    [DoesNotReturn]
    private static void ThrowBusy() =>
        throw new InvalidOperationException("the record buffer is already in use by another call");

    /// <summary>Names what the plugin broke and puts the buffer back as it was before the call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string Restore(EmitterBlock* b, in BufferCall call)
    {
        ulong count = b->Emitter.count, used = b->Emitter.data_used;
        ulong countBefore = call.CountBefore, usedBefore = call.UsedBefore;
        string violation;
        if (!b->GuardsIntact)
        {
            // Checked first: whatever else the plugin did, this is the one that can corrupt memory.
            violation = $"the plugin wrote past the end of the output buffer (data capacity {b->DataCapacity} bytes, " +
                        $"offsets capacity {b->OffsetsCapacity} entries; the guard bytes after them were overwritten)";
            b->ArmGuards();
        }
        else if (!b->HostFieldsIntact(b))
            violation = "the plugin overwrote emitter fields only the host may change (data, offsets, capacities, reserve, host_data, reserved)";
        else if (count < countBefore || used < usedBefore)
            violation = $"the emitter went backwards (count {countBefore} -> {count}, data_used {usedBefore} -> {used})";
        else if (count >= b->OffsetsCapacity || used > b->DataCapacity)
            violation = $"the emitter overflowed (count {count} of {b->OffsetsCapacity - 1}, data_used {used} of {b->DataCapacity})";
        else if (b->Offsets[count] != used)
            violation = $"offsets[count] ({b->Offsets[count]}) != data_used ({used})";
        else
            violation = $"too many records ({count})";
        b->Publish();
        b->Emitter.count = countBefore;
        b->Emitter.data_used = usedBefore;
        b->Offsets[countBefore] = usedBefore;
        return violation;
    }

    private bool InUse => Volatile.Read(ref _ownerBusy) != 0 || Volatile.Read(ref _sharedBusy) != 0;

    internal byte* DataPointer => Block->Data;

    private EmitterBlock* Block => _block != null ? _block : throw new ObjectDisposedException(nameof(RecordBuffer));

    private void ThrowIfInUse()
    {
        if (InUse)
            throw new InvalidOperationException("the record buffer is in use by a plugin call");
    }

    private void Release()
    {
        var b = _block;
        _block = null;
        EmitterBlock.Destroy(b);
    }
}

/// <summary>What <see cref="RecordBuffer"/> remembers between the start and the end of one plugin call.</summary>
internal readonly record struct BufferCall(ulong CountBefore, ulong UsedBefore, bool Owner);
