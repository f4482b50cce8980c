using System.Runtime.CompilerServices;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Transforms;

/// <summary>
/// Fills the small ABI structs handed to a plugin call with one scalar store per field.
/// Why: on an AVX-capable CPU the JIT zeroes a 32-byte-or-larger struct (<c>= default</c>, <c>new() { ... }</c>) with a
/// 256-bit <c>vmovdqu ymm</c> store, which leaves the upper halves of the YMM registers dirty. It does not emit
/// <c>vzeroupper</c> before a <c>SuppressGCTransition</c> call, so legacy-SSE code in the plugin (gcc builds without
/// <c>-mavx</c>: the C SDK, the C samples) then runs with a dirty upper state and pays the SSE/AVX transition penalty
/// on its SSE instructions: measured ~170 ns extra per [leaf] <c>stats</c> call versus ~2.5 ns for the call itself.
/// Volatile stores are never merged by the JIT into one SIMD store, and on x64 they are plain <c>mov</c>s.
/// </summary>
internal static unsafe class ScalarInit
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Stats(np_transform_stats_t* s)
    {
        Volatile.Write(ref s->struct_size, (uint)sizeof(np_transform_stats_t));
        Volatile.Write(ref s->reserved, 0u);
        Volatile.Write(ref s->records_in, 0ul);
        Volatile.Write(ref s->records_out, 0ul);
        Volatile.Write(ref s->bytes_in, 0ul);
        Volatile.Write(ref s->bytes_out, 0ul);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Error(np_error_t* e, byte* buffer, ulong capacity)
    {
        Volatile.Write(ref Unsafe.AsRef<nint>(&e->message), (nint)buffer);
        Volatile.Write(ref e->capacity, capacity);
        Volatile.Write(ref e->len, 0ul);
        Volatile.Write(ref e->code, 0);
        Volatile.Write(ref e->reserved, 0u);
    }

    /// <summary>The host's side of <c>np_entry</c>'s negotiation: its size and version, every output zeroed except the
    /// library version, which holds <see cref="Loading.NegotiationAnswer.Unset"/>, and no error buffer (the caller
    /// points <c>error</c> at one; with <c>SkipLocalsInit</c> nothing else would clear it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Negotiation(np_negotiation_t* n, uint major, uint minor)
    {
        Volatile.Write(ref n->struct_size, (uint)sizeof(np_negotiation_t));
        Volatile.Write(ref n->abi_major, major);
        Volatile.Write(ref n->abi_minor, minor);
        // Sentinels: a library that does not write its version is told apart from one that reports 0.0 (rule P1).
        Volatile.Write(ref n->library_abi_major, Loading.NegotiationAnswer.Unset);
        Volatile.Write(ref n->library_abi_minor, Loading.NegotiationAnswer.Unset);
        Volatile.Write(ref n->reserved, 0u);
        Volatile.Write(ref n->layout_fingerprint, 0ul);
        Volatile.Write(ref Unsafe.AsRef<nint>(&n->layout_report), 0);
        Volatile.Write(ref Unsafe.AsRef<nint>(&n->error), 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Batch(np_batch_t* b, byte* data, ulong* offsets, ulong count)
    {
        Volatile.Write(ref Unsafe.AsRef<nint>(&b->data), (nint)data);
        Volatile.Write(ref Unsafe.AsRef<nint>(&b->offsets), (nint)offsets);
        Volatile.Write(ref b->count, count);
    }
}
