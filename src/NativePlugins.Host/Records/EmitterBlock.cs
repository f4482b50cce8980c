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

    public static void Destroy(EmitterBlock* b)
    {
        if (b == null) return;
        b->Magic = 0;
        NativeMemory.Free(b->Data);
        NativeMemory.Free(b->Offsets);
        NativeMemory.Free(b);
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
