using NativePlugins.Interop;

namespace NativePlugins.Hosting.Loading;

/// <summary>The caller-owned <c>np_error_t</c> of one call (rule H5: at least 256 bytes; this host passes 1 KiB on
/// the stack) and the reading of what the plugin wrote into it.</summary>
internal static unsafe class PluginErrorText
{
    public const int Capacity = 1024;

    /// <summary>The message the plugin wrote; a host note when it wrote none (a rule P5 violation) or claimed to
    /// have written more than the capacity. Reads from the host's own buffer, not from error.message (which the
    /// plugin could have overwritten).</summary>
    public static string Read(in np_error_t error, byte* buffer)
    {
        if (error.len == 0) return "(the plugin wrote no error message, rule P5)";
        var len = Math.Min(error.len, (ulong)Capacity);
        var text = NativeText.DecodeLenient(new np_str_t { ptr = buffer, len = len }, Capacity).TrimEnd('\0');
        return error.len > Capacity ? text + $" (message length {error.len} exceeds the capacity {Capacity}, rule P5)" : text;
    }
}
