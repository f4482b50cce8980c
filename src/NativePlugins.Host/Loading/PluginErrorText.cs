using NativePlugins.Interop;

namespace NativePlugins.Hosting.Loading;

/// <summary>The caller-owned <c>np_error_t</c> of one call and the reading of what the plugin wrote into it. A caller
/// allocates <see cref="BufferBytes"/> (on the stack); the plugin is told <see cref="Capacity"/> (rule H5: at least
/// 256) and the rest is an <see cref="OverrunGuard"/>.</summary>
internal static unsafe class PluginErrorText
{
    /// <summary>What a caller allocates for the message.</summary>
    public const int BufferBytes = 1024;

    /// <summary>What the plugin may write (<c>np_error_t.capacity</c>).</summary>
    public const int Capacity = BufferBytes - OverrunGuard.Bytes;

    /// <summary>Points <paramref name="error"/> at <paramref name="buffer"/> (<see cref="BufferBytes"/> bytes) and
    /// arms the guard after its capacity. Field by field (rule H8, NpScalarInit).</summary>
    public static void Init(np_error_t* error, byte* buffer)
    {
        NpScalarInit.Init(error, message: buffer, capacity: Capacity);
        OverrunGuard.Write(buffer + Capacity);
    }

    /// <summary>True when nothing was written past the capacity: check it after every call, success included.</summary>
    public static bool GuardIntact(byte* buffer) => OverrunGuard.Intact(buffer + Capacity);

    /// <summary>Null when the plugin kept the buffer's rules (P5); otherwise what it broke: it wrote past the capacity
    /// (the memory after the buffer is suspect), or a failing call claims a message longer than the buffer.</summary>
    public static string? Violation(int status, in np_error_t error, byte* buffer, out bool overran)
    {
        overran = !GuardIntact(buffer);
        if (overran)
            return $"wrote past the end of the host's error buffer (capacity {Capacity} bytes; the guard bytes after it " +
                   "were overwritten, rule P5)";
        if (status != NpAbi.NP_OK && error.len > Capacity)
            return $"reported an error message of {error.len} bytes in an error buffer of {Capacity} bytes (rule P5)";
        return null;
    }

    /// <summary>The message the plugin wrote, as one line (<see cref="NativeText.OneLine(ReadOnlySpan{byte})"/>); a
    /// host note when it wrote none (a rule P5 violation). Reads from the host's own buffer, never error.message (which
    /// the plugin could have overwritten), and never past <see cref="Capacity"/>: a length beyond it is clamped, and
    /// the text then ends at the first NUL (the usual lie is C's <c>snprintf</c> return value, the untruncated length,
    /// behind a NUL-terminated cut; the bytes after the NUL were never written).</summary>
    public static string Read(in np_error_t error, byte* buffer)
    {
        if (error.len == 0) return "(the plugin wrote no error message, rule P5)";
        var bytes = new ReadOnlySpan<byte>(buffer, (int)Math.Min(error.len, (ulong)Capacity));
        if (error.len > Capacity && bytes.IndexOf((byte)0) is >= 0 and var nul) bytes = bytes[..nul];
        // A terminating NUL counted in len (a common C habit) is not part of the message.
        bytes = bytes.TrimEnd((byte)0);
        return NativeText.OneLine(bytes);
    }

    /// <summary>The text of a call the plugin broke the error buffer's rules in: the violation, then what the plugin
    /// wrote when the call failed and the message can be read.</summary>
    public static string Describe(string violation, int status, in np_error_t error, byte* buffer) =>
        status == NpAbi.NP_OK ? violation : $"{violation}; its message, cut to the buffer: {Read(error, buffer)}";
}
