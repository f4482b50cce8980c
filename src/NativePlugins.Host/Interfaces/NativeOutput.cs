using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Interfaces;

/// <summary>
/// The caller's side of <c>np_out_bytes_t</c> (ABI section 3) for the typed wrappers: a buffer that starts on the
/// caller's stack and grows only when the output outgrows it, through <see cref="Reserve"/>, an
/// <c>[UnmanagedCallersOnly]</c> callback that moves the data to native heap memory (doubling). The plugin calls it
/// once per growth, never per record. The heap block the host owns is remembered in <c>context</c> (the callee
/// does not touch it), so the host frees exactly what it allocated even if the plugin scribbled over <c>data</c>,
/// and can tell that it did (rule P10: a protocol violation, not a crash).
/// </summary>
internal static unsafe class NativeOutput
{
    /// <summary>The most a wrapper returns: a byte[] cannot hold more.</summary>
    public static readonly ulong MaxBytes = (ulong)Array.MaxLength;

    public static void Init(np_out_bytes_t* output, byte* inline, int capacity)
    {
        // Field by field: never a 256-bit zeroing right before native code (rule H8, see NpScalarInit).
        output->struct_size = (uint)sizeof(np_out_bytes_t);
        output->reserved = 0;
        output->data = inline;
        output->len = 0;
        output->capacity = (ulong)capacity;
        output->context = null;
        output->reserve = &Reserve;
    }

    /// <summary>Null when the callee kept to the protocol, else what it broke.</summary>
    public static string? Violation(np_out_bytes_t* output, byte* inline)
    {
        var expected = output->context != null ? (byte*)output->context : inline;
        if (output->data != expected) return "np_out_bytes_t.data was changed by the plugin (only reserve may move it)";
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
        NativeMemory.Free(output->context);
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
            ulong len = output->len;
            if (additional > MaxBytes - len) return NpAbi.NP_ERR_OUT_OF_MEMORY;
            ulong needed = len + additional;
            if (needed <= output->capacity) return NpAbi.NP_OK;
            ulong grown = Math.Min(MaxBytes, Math.Max(needed, output->capacity * 2));
            void* block;
            if (output->context == null)
            {
                block = NativeMemory.Alloc((nuint)grown);
                Buffer.MemoryCopy(output->data, block, grown, len);
            }
            else
            {
                block = NativeMemory.Realloc(output->context, (nuint)grown);
            }
            output->context = block;
            output->data = (byte*)block;
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
