using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NativePlugins.Interop;

namespace NativePlugins.Benchmarks.Abi;

/// <summary>
/// A bare <c>np_host_t</c> for instances created by <see cref="RawVTables"/>: allocation through NativeMemory, log and
/// extensions ignored. Only the benchmark-only plugins are created this way; they never call the host on the timed
/// path.
/// </summary>
internal static unsafe class MinimalHostTable
{
    private static readonly np_host_t* Table = Create();

    public static np_host_t* Pointer => Table;

    private static np_host_t* Create()
    {
        var t = (np_host_t*)NativeMemory.AllocZeroed((nuint)sizeof(np_host_t));
        t->struct_size = (uint)sizeof(np_host_t);
        t->abi_minor = NpAbi.NP_ABI_MINOR;
        t->log = &Log;
        t->alloc = &Alloc;
        t->free = &Free;
        t->get_extension = &GetExtension;
        return t;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Log(np_host_t* host, int level, np_str_t message) { }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void* Alloc(np_host_t* host, ulong size, ulong align) =>
        size == 0 || align == 0 || align > 4096 || (align & (align - 1)) != 0 ? null : NativeMemory.AlignedAlloc((nuint)size, (nuint)align);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Free(np_host_t* host, void* ptr, ulong size, ulong align) => NativeMemory.AlignedFree(ptr);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void* GetExtension(np_host_t* host, np_str_t id) => null;
}
