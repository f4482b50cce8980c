using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Tests.Infrastructure;

/// <summary>
/// Host-owned record buffers in native memory: an np_emitter_t a plugin writes into (growing through reserve, with
/// an optional byte limit past which reserve fails with NP_ERR_OUT_OF_MEMORY), and an np_batch_t view of the same
/// memory to feed a plugin.
/// </summary>
internal sealed unsafe class NativeRecords : IDisposable
{
    private readonly Limits* _limits;
    private readonly np_batch_t* _batch;

    [StructLayout(LayoutKind.Sequential)]
    private struct Limits
    {
        public ulong MaxBytes;
        public long ReserveCalls;
    }

    public NativeRecords(ulong initialBytes = 16, ulong initialRecords = 2, ulong maxBytes = ulong.MaxValue)
    {
        Emitter = (np_emitter_t*)NativeMemory.AllocZeroed((nuint)sizeof(np_emitter_t));
        Emitter->struct_size = (uint)sizeof(np_emitter_t);
        Emitter->data = (byte*)NativeMemory.Alloc((nuint)Math.Max(initialBytes, 1));
        Emitter->data_capacity = initialBytes;
        Emitter->offsets = (ulong*)NativeMemory.AllocZeroed((nuint)(Math.Max(initialRecords, 1) * sizeof(ulong)));
        Emitter->offsets_capacity = Math.Max(initialRecords, 1);
        Emitter->reserve = &Reserve;
        _limits = (Limits*)NativeMemory.AllocZeroed((nuint)sizeof(Limits));
        _limits->MaxBytes = maxBytes;
        Emitter->host_data = _limits;
        _batch = (np_batch_t*)NativeMemory.AllocZeroed((nuint)sizeof(np_batch_t));
    }

    public static NativeRecords From(params string[] records)
    {
        var result = new NativeRecords();
        foreach (string record in records)
            result.Append(Encoding.UTF8.GetBytes(record));
        return result;
    }

    public np_emitter_t* Emitter { get; }

    /// <summary>The records as a batch (valid until the next append).</summary>
    public np_batch_t* Batch
    {
        get
        {
            _batch->data = Emitter->data;
            _batch->offsets = Emitter->offsets;
            _batch->count = Emitter->count;
            return _batch;
        }
    }

    public int Count => (int)Emitter->count;

    public long ReserveCalls => _limits->ReserveCalls;

    public byte[] this[int index] =>
        new ReadOnlySpan<byte>(Emitter->data + Emitter->offsets[index], (int)(Emitter->offsets[index + 1] - Emitter->offsets[index])).ToArray();

    public List<string> Strings() => Enumerable.Range(0, Count).Select(i => Encoding.UTF8.GetString(this[i])).ToList();

    public void Append(ReadOnlySpan<byte> record)
    {
        np_emitter_t* e = Emitter;
        if (e->data_capacity - e->data_used < (ulong)record.Length || e->offsets_capacity - e->count < 2)
            Assert.Equal(NpAbi.NP_OK, Grow(e, (ulong)record.Length, 1));
        record.CopyTo(new Span<byte>(e->data + e->data_used, record.Length));
        e->data_used += (ulong)record.Length;
        e->offsets[++e->count] = e->data_used;
    }

    public void Clear()
    {
        Emitter->count = 0;
        Emitter->data_used = 0;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Reserve(np_emitter_t* e, ulong extraBytes, ulong extraRecords) => Grow(e, extraBytes, extraRecords);

    private static int Grow(np_emitter_t* e, ulong extraBytes, ulong extraRecords)
    {
        var limits = (Limits*)e->host_data;
        limits->ReserveCalls++;
        ulong neededBytes = e->data_used + extraBytes;
        if (neededBytes > limits->MaxBytes)
            return NpAbi.NP_ERR_OUT_OF_MEMORY;
        if (neededBytes > e->data_capacity)
        {
            ulong capacity = Math.Min(Math.Max(neededBytes, e->data_capacity * 2), limits->MaxBytes);
            e->data = (byte*)NativeMemory.Realloc(e->data, (nuint)Math.Max(capacity, 1));
            e->data_capacity = capacity;
        }
        ulong neededOffsets = e->count + 1 + extraRecords;
        if (neededOffsets > e->offsets_capacity)
        {
            ulong capacity = Math.Max(neededOffsets, e->offsets_capacity * 2);
            e->offsets = (ulong*)NativeMemory.Realloc(e->offsets, (nuint)(capacity * sizeof(ulong)));
            e->offsets_capacity = capacity;
        }
        return NpAbi.NP_OK;
    }

    public void Dispose()
    {
        NativeMemory.Free(Emitter->data);
        NativeMemory.Free(Emitter->offsets);
        NativeMemory.Free(Emitter);
        NativeMemory.Free(_limits);
        NativeMemory.Free(_batch);
    }
}
