using System.Runtime.InteropServices;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// What an instance pointer of a C# plugin points at, whatever its interface (<c>np_instance_t*</c> of
/// np.transform/1, <c>acme_greeter_t*</c> of a user interface): a small native block with the counters and the
/// poisoned flag (read by the native [leaf] stats function) and a GCHandle to the managed instance.
/// Mirrors <c>np_cs_instance_t</c> in <c>native/np_cs_leaf.h</c>: an SDK-private layout (not part of the ABI) that
/// the C# and C halves of this SDK share; change both together.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct InstanceBlock
{
    public const uint LiveMagic = 0x5343504E; // NP_CS_INSTANCE_MAGIC, "NPCS"
    public const uint Live = 0;               // NP_CS_INSTANCE_LIVE
    public const uint Poisoned = 1;           // NP_CS_INSTANCE_POISONED

    public uint Magic;
    public uint State;
    public ulong RecordsIn;
    public ulong RecordsOut;
    public ulong BytesIn;
    public ulong BytesOut;
    public nint GcHandle;

    public static unsafe InstanceBlock* Allocate(ManagedInstance instance)
    {
        var block = (InstanceBlock*)NativeMemory.AllocZeroed((nuint)sizeof(InstanceBlock));
        block->GcHandle = GCHandle.ToIntPtr(GCHandle.Alloc(instance));
        Volatile.Write(ref block->Magic, LiveMagic);
        return block;
    }

    /// <summary>The block behind an instance pointer, or null when the pointer is NULL or not a live C# instance.</summary>
    public static unsafe InstanceBlock* FromHandle(void* instance)
    {
        var block = (InstanceBlock*)instance;
        return block is not null && Volatile.Read(ref block->Magic) == LiveMagic ? block : null;
    }

    public readonly ManagedInstance Target => (ManagedInstance)GCHandle.FromIntPtr(GcHandle).Target!;

    public void Poison() => Volatile.Write(ref State, Poisoned);

    public readonly bool IsPoisoned => Volatile.Read(in State) != Live;

    /// <summary>Adds one call's counts (atomic: a thread-safe plugin's calls may overlap).</summary>
    public void Count(ulong recordsIn, ulong bytesIn, ulong recordsOut, ulong bytesOut)
    {
        if (recordsIn != 0) Interlocked.Add(ref RecordsIn, recordsIn);
        if (bytesIn != 0) Interlocked.Add(ref BytesIn, bytesIn);
        if (recordsOut != 0) Interlocked.Add(ref RecordsOut, recordsOut);
        if (bytesOut != 0) Interlocked.Add(ref BytesOut, bytesOut);
    }

    /// <summary>Invalidates the block (a stale pointer is then refused), frees the handle and the memory.</summary>
    public static unsafe void Free(InstanceBlock* block)
    {
        Volatile.Write(ref block->Magic, 0);
        GCHandle.FromIntPtr(block->GcHandle).Free();
        block->GcHandle = 0;
        NativeMemory.Free(block);
    }
}

/// <summary>The managed side of one instance: the plugin object, the interface whose create made it, and what the
/// boundary needs to report about it.</summary>
internal sealed class ManagedInstance(object plugin, PluginDefinition definition, string interfaceId, PluginHost host)
{
    /// <summary>The plugin object; it implements the interface <see cref="InterfaceId"/> names (a
    /// <see cref="TransformPlugin"/> for np.transform/1).</summary>
    public object Plugin { get; } = plugin;
    public PluginDefinition Definition { get; } = definition;

    /// <summary>The interface whose create made the instance: only that interface's functions accept it.</summary>
    public string InterfaceId { get; } = interfaceId;
    public PluginHost Host { get; } = host;

    /// <summary>Why the instance was poisoned (the exception that crossed the boundary), for NP_ERR_STATE messages.</summary>
    public string? PoisonReason { get; set; }

    /// <summary>A stream is open: a process ran since create or the last flush (guarantee S4: a flush without one
    /// runs no plugin code).</summary>
    public bool StreamOpen;

    /// <summary>1 while a process or flush runs on an NP_THREADING_SINGLE instance (guarantee S3: an overlapping
    /// call, a host bug, is refused instead of corrupting the plugin's state).</summary>
    public int Busy;
}
