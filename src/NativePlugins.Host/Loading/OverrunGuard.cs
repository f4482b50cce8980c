using System.Runtime.CompilerServices;

namespace NativePlugins.Hosting.Loading;

/// <summary>
/// Guard bytes right after the end of a buffer the host hands to a plugin (the error buffer, the emitter's data and
/// offsets, an <c>np_out_bytes_t</c>), so that a plugin writing past the capacity it was given (rules P5, P10) is
/// caught after the call, before the host reads, grows or frees that memory, instead of corrupting the heap or the
/// stack. A canary rather than a guard page: a page fault in plugin code kills the .NET process (no typed error), a
/// page per buffer costs an mprotect per growth, and the common overrun is a few bytes (a terminating NUL, a record
/// head forgotten in a size computation), which the guard absorbs. Checking is two loads and one compare.
/// </summary>
internal static unsafe class OverrunGuard
{
    /// <summary>Bytes reserved after every guarded buffer.</summary>
    public const int Bytes = 16;

    /// <summary>Random per process, so no plugin writes it by chance; no zero byte, so a stray terminating NUL always
    /// shows.</summary>
    private static readonly ulong Value = (ulong)Random.Shared.NextInt64() | 0x0101_0101_0101_0101UL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(byte* at)
    {
        Unsafe.WriteUnaligned(at, Value);
        Unsafe.WriteUnaligned(at + 8, Value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Intact(byte* at) =>
        ((Unsafe.ReadUnaligned<ulong>(at) ^ Value) | (Unsafe.ReadUnaligned<ulong>(at + 8) ^ Value)) == 0;
}
