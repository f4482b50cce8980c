using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Hosting.Loading;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Interfaces;

/// <summary>
/// The caller's side of <c>np_out_bytes_t</c> (ABI section 3) for the typed wrappers: a buffer that starts on the
/// caller's stack and grows only when the output outgrows it, through <see cref="Reserve"/>, an
/// <c>[UnmanagedCallersOnly]</c> callback that moves the data to native heap memory (doubling). The plugin calls it
/// once per growth, never per record. The heap block the host owns is remembered in <c>context</c> (the callee
/// does not touch it), so the host frees exactly what it allocated even if the plugin scribbled over <c>data</c>,
/// and can tell that it did (rule P10: a protocol violation, not a crash). Both the stack buffer and every heap block
/// end in an <see cref="OverrunGuard"/> beyond the capacity the plugin is told, so a write past it is caught too.
/// </summary>
internal static unsafe class NativeOutput
{
    /// <summary>The most a wrapper returns: a byte[] cannot hold more.</summary>
    public static readonly ulong MaxBytes = (ulong)Array.MaxLength;

    /// <summary>Bytes of the inline (stack) buffer a caller allocates.</summary>
    public const int InlineBytes = 256;

    /// <summary>Header of a heap block, before the data: the capacity the host gave it, so that the guard is found
    /// from the host's own record, never from the plugin-writable <c>capacity</c> field.</summary>
    private const int Header = 16;

    /// <summary>The capacity the host gave the buffer <paramref name="output"/> points at (its heap block or the inline one).</summary>
    private static ulong HostCapacity(np_out_bytes_t* output) =>
        output->context != null ? *(ulong*)((byte*)output->context - Header) : InlineBytes - OverrunGuard.Bytes;

    /// <summary>Prepares <paramref name="output"/> over <paramref name="inline"/>, <paramref name="bytes"/> long (the
    /// plugin is told <see cref="OverrunGuard.Bytes"/> less).</summary>
    public static void Init(np_out_bytes_t* output, byte* inline, int bytes)
    {
        if (bytes != InlineBytes) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, $"must be {InlineBytes}");
        ulong capacity = InlineBytes - OverrunGuard.Bytes;
        OverrunGuard.Write(inline + capacity);
        // Field by field: never a 256-bit zeroing right before native code (rule H8, see NpScalarInit).
        output->struct_size = (uint)sizeof(np_out_bytes_t);
        output->reserved = 0;
        output->data = inline;
        output->len = 0;
        output->capacity = capacity;
        output->context = null;
        output->reserve = &Reserve;
    }

    /// <summary>Null when the callee kept to the protocol, else what it broke; <paramref name="overran"/> when it wrote
    /// past the capacity. Reads only the host's own record of the buffer (context, or the inline buffer) for that.</summary>
    public static string? Violation(np_out_bytes_t* output, byte* inline, out bool overran)
    {
        var expected = output->context != null ? (byte*)output->context : inline;
        overran = false;
        if (output->data != expected) return "np_out_bytes_t.data was changed by the plugin (only reserve may move it)";
        ulong capacity = HostCapacity(output);
        if (!OverrunGuard.Intact(expected + capacity))
        {
            overran = true;
            return $"the plugin wrote past the end of the np_out_bytes_t buffer (capacity {capacity} bytes; " +
                   "the guard bytes after it were overwritten)";
        }
        if (output->capacity != capacity)
            return $"np_out_bytes_t.capacity was changed by the plugin from {capacity} to {output->capacity}";
        if (output->len > output->capacity)
            return $"np_out_bytes_t.len is {output->len}, beyond its capacity {output->capacity}";
        return null;
    }

    public static byte[] ToArray(np_out_bytes_t* output) =>
        output->len == 0 ? [] : new ReadOnlySpan<byte>(output->data, checked((int)output->len)).ToArray();

    /// <summary>The output as text (UTF-8; invalid sequences become U+FFFD, as everywhere the host decodes plugin
    /// text for display).</summary>
    public static string ToText(np_out_bytes_t* output) =>
        output->len == 0 ? string.Empty : Encoding.UTF8.GetString(output->data, checked((int)output->len));

    /// <summary>Frees the heap block, if the output grew into one. Idempotent.</summary>
    public static void Release(np_out_bytes_t* output)
    {
        if (output->context == null) return;
        NativeMemory.Free((byte*)output->context - Header);
        output->context = null;
        output->data = null;
        output->capacity = 0;
        output->len = 0;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Reserve(np_out_bytes_t* output, ulong additional)
    {
        try
        {
            if (output == null || output->len > output->capacity) return NpAbi.NP_ERR_INVALID_ARGUMENT;
            // The host's own record must still describe the buffer, and its guard be intact: otherwise nothing is
            // moved (that would lose the evidence) and the caller reports the violation after the call.
            var own = output->context != null ? (byte*)output->context : null;
            if ((own != null && output->data != own) || output->capacity != HostCapacity(output) ||
                !OverrunGuard.Intact(output->data + output->capacity))
                return NpAbi.NP_ERR_INVALID_ARGUMENT;
            ulong len = output->len;
            if (additional > MaxBytes - len) return NpAbi.NP_ERR_OUT_OF_MEMORY;
            ulong needed = len + additional;
            if (needed <= output->capacity) return NpAbi.NP_OK;
            ulong grown = Math.Min(MaxBytes, Math.Max(needed, output->capacity * 2));
            byte* block;
            if (output->context == null)
            {
                block = (byte*)NativeMemory.Alloc(Header + (nuint)grown + OverrunGuard.Bytes) + Header;
                Buffer.MemoryCopy(output->data, block, grown, len);
            }
            else
            {
                block = (byte*)NativeMemory.Realloc((byte*)output->context - Header, Header + (nuint)grown + OverrunGuard.Bytes) + Header;
            }
            *(ulong*)(block - Header) = grown;
            OverrunGuard.Write(block + grown);
            output->context = block;
            output->data = block;
            output->capacity = grown;
            return NpAbi.NP_OK;
        }
        catch
        {
            // OutOfMemoryException from the allocator; nothing may escape into native code.
            return NpAbi.NP_ERR_OUT_OF_MEMORY;
        }
    }
}
