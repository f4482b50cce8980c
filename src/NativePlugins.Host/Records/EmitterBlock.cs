using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NativePlugins.Hosting.Loading;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Records;

/// <summary>
/// The native memory behind a <see cref="RecordBuffer"/>: the <c>np_emitter_t</c> handed to plugins, followed by the
/// host's own record of the buffers it handed out. Plugins can write anything into the emitter; the host trusts
/// only its private copy of pointers and capacities, so a plugin that breaks the emitter protocol (rule P10) is
/// detected after the call instead of making the host free or read the wrong memory. Both buffers are allocated
/// <see cref="OverrunGuard.Bytes"/> longer than their capacity, with a guard there, so that a plugin writing past the
/// capacity (rule P10) is detected too, before the host grows or frees the buffers.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct EmitterBlock
{
    public const ulong MagicAlive = 0x6e706c75675f656d; // "nplug_em"

    /// <summary>The one address handed out as <c>reserve</c> (taken once, so comparing with it is exact).</summary>
    private static readonly nint ReserveAddress = (nint)(delegate* unmanaged[Cdecl]<np_emitter_t*, ulong, ulong, int>)&Reserve;

    /// <summary>What the plugin sees. First member: <c>host_data</c> points at the block itself.</summary>
    public np_emitter_t Emitter;

    public ulong Magic;
    public byte* Data;
    public ulong DataCapacity;
    public ulong* Offsets;
    public ulong OffsetsCapacity;
    public ulong MaxDataBytes;
    public ulong MaxRecords;

    /// <summary>How many times reserve grew a buffer (the per-record path never gets here).</summary>
    public ulong Growths;

    /// <summary>How many times reserve was called.</summary>
    public ulong ReserveCalls;

    // ---- shared storage (RecordBuffer.CreateShared): Data and Offsets map two memfds a worker can map too ----

    /// <summary>1: Data and Offsets are mappings of <see cref="DataFd"/> / <see cref="OffsetsFd"/>, each
    /// <see cref="OverrunGuard.Bytes"/> longer than its capacity; 0: NativeMemory.</summary>
    public int Shared;
    public int DataFd, OffsetsFd;
    public ulong DataMapBytes, OffsetsMapBytes;

    /// <summary>The regions' ids in the worker protocol (npw_protocol.h, "Shared record buffers").</summary>
    public ulong DataRegion, OffsetsRegion;

    /// <summary>Allocates a block with an empty buffer (offsets[0] == 0, rule H5).</summary>
    public static EmitterBlock* Create(ulong dataCapacity, ulong recordCapacity, ulong maxDataBytes, ulong maxRecords)
    {
        var b = (EmitterBlock*)NativeMemory.AllocZeroed((nuint)sizeof(EmitterBlock));
        try
        {
            b->Magic = MagicAlive;
            b->MaxDataBytes = maxDataBytes;
            b->MaxRecords = maxRecords;
            b->DataCapacity = Math.Max(dataCapacity, 1);
            b->Data = (byte*)NativeMemory.Alloc((nuint)b->DataCapacity + OverrunGuard.Bytes);
            b->OffsetsCapacity = Math.Max(recordCapacity, 1) + 1;
            b->Offsets = (ulong*)NativeMemory.Alloc((nuint)(b->OffsetsCapacity * sizeof(ulong)) + OverrunGuard.Bytes);
            b->Offsets[0] = 0;
            b->ArmGuards();
            b->Publish();
            return b;
        }
        catch
        {
            Destroy(b);
            throw;
        }
    }

    /// <summary>Allocates a block whose buffers are two shrink-sealed memfds (<see cref="SharedMemory"/>), mapped here,
    /// that workers map too; registered with <see cref="SharedBuffers"/> under fresh region ids.</summary>
    public static EmitterBlock* CreateShared(ulong dataCapacity, ulong recordCapacity, ulong maxDataBytes, ulong maxRecords)
    {
        var b = (EmitterBlock*)NativeMemory.AllocZeroed((nuint)sizeof(EmitterBlock));
        b->Shared = 1;
        b->DataFd = b->OffsetsFd = -1;
        try
        {
            b->Magic = MagicAlive;
            b->MaxDataBytes = maxDataBytes;
            b->MaxRecords = maxRecords;
            b->DataFd = SharedMemory.Create("nplug-records-data");
            b->OffsetsFd = SharedMemory.Create("nplug-records-offsets");
            b->DataMapBytes = SharedMemory.RoundUp(Math.Max(dataCapacity, 1) + OverrunGuard.Bytes);
            b->OffsetsMapBytes = SharedMemory.RoundUp(checked((Math.Max(recordCapacity, 1) + 1) * sizeof(ulong)) + OverrunGuard.Bytes);
            b->Data = SharedMemory.Map(b->DataFd, b->DataMapBytes);
            b->Offsets = (ulong*)SharedMemory.Map(b->OffsetsFd, b->OffsetsMapBytes);
            if (b->Data == null || b->Offsets == null)
                throw new InsufficientMemoryException($"mapping a shared record buffer failed: {Isolation.WorkerLibc.ErrorText(Isolation.WorkerLibc.LastError)}");
            b->DataCapacity = b->DataMapBytes - OverrunGuard.Bytes;
            b->OffsetsCapacity = (b->OffsetsMapBytes - OverrunGuard.Bytes) / sizeof(ulong);
            b->Offsets[0] = 0;
            b->ArmGuards();
            b->Publish();
            SharedBuffers.Register(b);
            return b;
        }
        catch
        {
            Destroy(b);
            throw;
        }
    }

    public static void Destroy(EmitterBlock* b)
    {
        if (b == null) return;
        b->Magic = 0;
        if (b->Shared != 0)
        {
            SharedBuffers.Unregister(b); // before the descriptors close: no worker is handed one of them after this
            SharedMemory.Unmap(b->Data, b->DataMapBytes);
            SharedMemory.Unmap((byte*)b->Offsets, b->OffsetsMapBytes);
            if (b->DataFd >= 0) Isolation.WorkerLibc.Close(b->DataFd);
            if (b->OffsetsFd >= 0) Isolation.WorkerLibc.Close(b->OffsetsFd);
        }
        else
        {
            NativeMemory.Free(b->Data);
            NativeMemory.Free(b->Offsets);
        }
        NativeMemory.Free(b);
    }

    /// <summary>
    /// After a worker emitted into this (shared) block: the worker may have grown the memfds to
    /// <paramref name="offsetsSize"/> / <paramref name="dataSize"/> bytes; remaps to what they really are, then takes
    /// <paramref name="count"/> records of <paramref name="used"/> bytes if they are a valid extension of the
    /// <paramref name="baseCount"/> / <paramref name="baseUsed"/> the call started from. False, with the records as
    /// they were (the mappings may have grown), when the reply does not describe such a batch.
    /// </summary>
    public bool AdoptWorkerOutput(ulong offsetsSize, ulong dataSize, ulong count, ulong used, ulong baseCount, ulong baseUsed)
    {
        if (Shared == 0) return false;
        if (offsetsSize > OffsetsMapBytes && !RemapGrown(ref OffsetsMapBytes, OffsetsFd, offsetsSize, offsets: true)) return false;
        if (dataSize > DataMapBytes && !RemapGrown(ref DataMapBytes, DataFd, dataSize, offsets: false)) return false;
        DataCapacity = DataMapBytes - OverrunGuard.Bytes;
        OffsetsCapacity = (OffsetsMapBytes - OverrunGuard.Bytes) / sizeof(ulong);
        ArmGuards();
        Publish();
        if (count < baseCount || used < baseUsed || count >= OffsetsCapacity || used > DataCapacity ||
            count > MaxRecords || used > MaxDataBytes || Offsets[count] != used || Offsets[baseCount] != baseUsed)
            return false;
        Emitter.count = count;
        Emitter.data_used = used;
        return true;
    }

    private bool RemapGrown(ref ulong mapBytes, int fd, ulong reported, bool offsets)
    {
        ulong size = Math.Min(reported, SharedMemory.SizeOf(fd)) / SharedMemory.Page * SharedMemory.Page;
        if (size <= mapBytes) return true;
        var p = SharedMemory.Remap(fd, offsets ? (byte*)Offsets : Data, mapBytes, size, extend: false);
        if (p == null) return false;
        if (offsets) Offsets = (ulong*)p;
        else Data = p;
        mapBytes = size;
        return true;
    }

    /// <summary>Writes every field only the host may change into the plugin-visible emitter: pointers and
    /// capacities from the host's private copy, the callback, host_data, struct_size and reserved.</summary>
    public void Publish()
    {
        Emitter.struct_size = (uint)sizeof(np_emitter_t);
        Emitter.reserved = 0;
        Emitter.reserve = (delegate* unmanaged[Cdecl]<np_emitter_t*, ulong, ulong, int>)ReserveAddress;
        Emitter.host_data = Unsafe.AsPointer(ref this);
        Emitter.data = Data;
        Emitter.data_capacity = DataCapacity;
        Emitter.offsets = Offsets;
        Emitter.offsets_capacity = OffsetsCapacity;
    }

    /// <summary>True when the plugin left every field it must not touch as the host set it.</summary>
    public readonly bool HostFieldsIntact(EmitterBlock* self) =>
        Emitter.struct_size == (uint)sizeof(np_emitter_t) &&
        Emitter.data == Data && Emitter.offsets == Offsets && Emitter.data_capacity == DataCapacity &&
        Emitter.offsets_capacity == OffsetsCapacity && Emitter.host_data == self && Emitter.reserved == 0 &&
        (nint)Emitter.reserve == ReserveAddress;

    /// <summary>Writes the guards after both capacities (after every allocation: a realloc moves them).</summary>
    public void ArmGuards()
    {
        OverrunGuard.Write(Data + DataCapacity);
        OverrunGuard.Write((byte*)(Offsets + OffsetsCapacity));
    }

    /// <summary>True when nothing was written past either capacity.</summary>
    public readonly bool GuardsIntact =>
        OverrunGuard.Intact(Data + DataCapacity) && OverrunGuard.Intact((byte*)(Offsets + OffsetsCapacity));

    /// <summary>Makes room for <paramref name="extraBytes"/> more bytes and <paramref name="extraRecords"/> more
    /// records beyond the current ones; geometric growth, bounded by the limits.</summary>
    public int Grow(ulong extraBytes, ulong extraRecords)
    {
        ulong used = Emitter.data_used, count = Emitter.count;
        ulong needBytes, needOffsets;
        try
        {
            needBytes = checked(used + extraBytes);
            needOffsets = checked(count + 1 + extraRecords);
        }
        catch (OverflowException)
        {
            return NpAbi.NP_ERR_OUT_OF_MEMORY;
        }
        if (needBytes > MaxDataBytes || needOffsets - 1 > MaxRecords) return NpAbi.NP_ERR_OUT_OF_MEMORY;

        if (Shared != 0) return GrowShared(needBytes, needOffsets);
        if (needBytes > DataCapacity)
        {
            ulong cap = Math.Min(Math.Max(needBytes, DataCapacity > ulong.MaxValue / 2 ? needBytes : DataCapacity * 2), MaxDataBytes);
            var p = (byte*)NativeMemory.Realloc(Data, (nuint)cap + OverrunGuard.Bytes);
            Data = p;
            DataCapacity = cap;
            Growths++;
        }
        if (needOffsets > OffsetsCapacity)
        {
            ulong cap = Math.Min(Math.Max(needOffsets, OffsetsCapacity * 2), MaxRecords + 1);
            var p = (ulong*)NativeMemory.Realloc(Offsets, checked((nuint)(cap * sizeof(ulong)) + OverrunGuard.Bytes));
            Offsets = p;
            OffsetsCapacity = cap;
            Growths++;
        }
        ArmGuards();
        Publish();
        return NpAbi.NP_OK;
    }

    /// <summary><see cref="Grow"/> of shared storage: ftruncate and mremap of the memfds, geometric as realloc's.</summary>
    private int GrowShared(ulong needBytes, ulong needOffsets)
    {
        try
        {
            if (needBytes > DataCapacity)
            {
                ulong cap = Math.Min(Math.Max(needBytes, DataCapacity > ulong.MaxValue / 4 ? needBytes : DataCapacity * 2), MaxDataBytes);
                ulong size = SharedMemory.RoundUp(checked(cap + OverrunGuard.Bytes));
                var p = SharedMemory.Remap(DataFd, Data, DataMapBytes, size);
                if (p == null) return NpAbi.NP_ERR_OUT_OF_MEMORY;
                Data = p;
                DataMapBytes = size;
                DataCapacity = size - OverrunGuard.Bytes;
                Growths++;
            }
            if (needOffsets > OffsetsCapacity)
            {
                ulong cap = Math.Min(Math.Max(needOffsets, OffsetsCapacity * 2), MaxRecords + 1);
                ulong size = SharedMemory.RoundUp(checked(cap * sizeof(ulong) + OverrunGuard.Bytes));
                var p = SharedMemory.Remap(OffsetsFd, (byte*)Offsets, OffsetsMapBytes, size);
                if (p == null) return NpAbi.NP_ERR_OUT_OF_MEMORY;
                Offsets = (ulong*)p;
                OffsetsMapBytes = size;
                OffsetsCapacity = (size - OverrunGuard.Bytes) / sizeof(ulong);
                Growths++;
            }
        }
        catch (OverflowException)
        {
            return NpAbi.NP_ERR_OUT_OF_MEMORY;
        }
        ArmGuards();
        Publish();
        return NpAbi.NP_OK;
    }

    /// <summary><c>np_emitter_t.reserve</c>. Called by a plugin only when its output does not fit.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Reserve(np_emitter_t* self, ulong extraBytes, ulong extraRecords)
    {
        try
        {
            if (self == null) return NpAbi.NP_ERR_INVALID_ARGUMENT;
            var b = (EmitterBlock*)self; // the emitter is the first member of the block
            // A broken guard stays broken (growing would move it and lose the evidence): the call's end reports it.
            if (b->Magic != MagicAlive || !b->HostFieldsIntact(b) || !b->GuardsIntact) return NpAbi.NP_ERR_INVALID_ARGUMENT;
            b->ReserveCalls++;
            // The plugin's counters must still describe a valid prefix of the buffers (rule P10).
            if (self->data_used > b->DataCapacity || self->count >= b->OffsetsCapacity)
                return NpAbi.NP_ERR_INVALID_ARGUMENT;
            return b->Grow(extraBytes, extraRecords);
        }
        catch
        {
            // Realloc failure (OutOfMemoryException) or anything else: a failed reserve, never an escaped exception.
            return NpAbi.NP_ERR_OUT_OF_MEMORY;
        }
    }
}
