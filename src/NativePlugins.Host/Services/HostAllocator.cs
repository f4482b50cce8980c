using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace NativePlugins.Hosting.Services;

/// <summary>
/// The memory behind <c>np_host_t.alloc</c>/<c>free</c>: <see cref="NativeMemory.AlignedAlloc"/>, with every live
/// block recorded so that a free of a foreign or already freed pointer is detected and ignored instead of
/// corrupting the heap, and so that leaks are attributed to the instance or library that allocated (rule P4).
/// Plugins allocate instance state here, not records, so a dictionary operation per call is affordable.
/// </summary>
internal sealed unsafe class HostAllocator
{
    /// <summary>Largest alignment <c>np_host_t.alloc</c> accepts (np_host.h).</summary>
    public const ulong MaxAlign = 4096;

    private readonly record struct Block(ulong Size, ulong Align, HostTableContext Owner);

    private readonly ConcurrentDictionary<nint, Block> _live = new();

    public void* Alloc(HostTableContext table, ulong size, ulong align)
    {
        if (align == 0 || (align & (align - 1)) != 0 || align > MaxAlign)
        {
            table.Counters.OnFailed();
            table.Warn($"alloc refused: alignment {align} is not a power of two up to {MaxAlign}");
            return null;
        }
        if (size > (ulong)nint.MaxValue)
        {
            table.Counters.OnFailed();
            return null;
        }
        void* p;
        try
        {
            // A zero-byte request still gets a unique pointer (like malloc(0) on glibc), so free stays symmetrical.
            p = NativeMemory.AlignedAlloc((nuint)Math.Max(size, 1), (nuint)align);
        }
        catch (OutOfMemoryException)
        {
            table.Counters.OnFailed();
            return null;
        }
        _live[(nint)p] = new Block(size, align, table);
        table.Counters.OnAlloc((long)size);
        return p;
    }

    public void Free(HostTableContext table, void* ptr, ulong size, ulong align)
    {
        if (ptr == null) return;
        if (!_live.TryRemove((nint)ptr, out var block))
        {
            table.Counters.OnInvalidFree();
            table.Error($"free of 0x{(nint)ptr:x}: not allocated by this host or already freed (rule P4); ignored");
            return;
        }
        if (block.Size != size || block.Align != align)
        {
            block.Owner.Counters.OnMismatchedFree();
            table.Warn($"free of 0x{(nint)ptr:x} with size {size}/align {align}, allocated with {block.Size}/{block.Align}");
        }
        if (!ReferenceEquals(block.Owner, table)) block.Owner.Counters.OnCrossTableFree();
        NativeMemory.AlignedFree(ptr);
        block.Owner.Counters.OnFree((long)block.Size);
    }
}
