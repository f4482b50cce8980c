using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NativePlugins.Interop;

namespace NativePlugins.Benchmarks.Abi;

/// <summary>
/// A minimal host emitter for <see cref="RawPipeline"/>: an <c>np_emitter_t</c> in native memory whose
/// <c>reserve</c> grows the buffers geometrically (rule H5), with none of the host library's protocol checks. Only
/// what the floor measurement needs.
/// </summary>
public sealed unsafe class RawEmitter : IDisposable
{
    private np_emitter_t* _e;

    public RawEmitter(ulong dataCapacity = 64 * 1024, ulong recordCapacity = 1024)
    {
        _e = (np_emitter_t*)NativeMemory.AllocZeroed((nuint)sizeof(np_emitter_t));
        _e->struct_size = (uint)sizeof(np_emitter_t);
        _e->data = (byte*)NativeMemory.Alloc((nuint)dataCapacity);
        _e->data_capacity = dataCapacity;
        _e->offsets = (ulong*)NativeMemory.Alloc((nuint)((recordCapacity + 1) * sizeof(ulong)));
        _e->offsets_capacity = recordCapacity + 1;
        _e->offsets[0] = 0;
        _e->reserve = &Reserve;
    }

    public np_emitter_t* Emitter => _e;

    public void Clear()
    {
        _e->count = 0;
        _e->data_used = 0;
        _e->offsets[0] = 0;
    }

    /// <summary>The records written, as the next stage's input batch.</summary>
    public np_batch_t AsBatch()
    {
        np_batch_t b;
        b.data = _e->data;
        b.offsets = _e->offsets;
        b.count = _e->count;
        return b;
    }

    public void Dispose()
    {
        if (_e == null) return;
        NativeMemory.Free(_e->data);
        NativeMemory.Free(_e->offsets);
        NativeMemory.Free(_e);
        _e = null;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Reserve(np_emitter_t* e, ulong extraBytes, ulong extraRecords)
    {
        ulong needBytes = e->data_used + extraBytes, needOffsets = e->count + 1 + extraRecords;
        if (needBytes > e->data_capacity)
        {
            ulong cap = Math.Max(needBytes, e->data_capacity * 2);
            var p = (byte*)NativeMemory.Realloc(e->data, (nuint)cap);
            if (p == null) return NpAbi.NP_ERR_OUT_OF_MEMORY;
            e->data = p;
            e->data_capacity = cap;
        }
        if (needOffsets > e->offsets_capacity)
        {
            ulong cap = Math.Max(needOffsets, e->offsets_capacity * 2);
            var p = (ulong*)NativeMemory.Realloc(e->offsets, (nuint)(cap * sizeof(ulong)));
            if (p == null) return NpAbi.NP_ERR_OUT_OF_MEMORY;
            e->offsets = p;
            e->offsets_capacity = cap;
        }
        return NpAbi.NP_OK;
    }
}
