using System.Text.Unicode;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>Writes failure messages into a caller-owned <c>np_error_t</c> (rule P5).</summary>
internal static unsafe class ErrorReporter
{
    /// <summary>
    /// Writes <paramref name="message"/> as UTF-8, truncated at a character boundary to the buffer's capacity, and
    /// sets <c>len</c> and <c>code</c>. Does nothing when the caller passed no buffer. Returns <paramref name="status"/>
    /// so callers can write <c>return ErrorReporter.Fail(...)</c>.
    /// </summary>
    public static int Fail(np_error_t* error, int status, string message, int code = 0)
    {
        if (error is null || error->message is null || error->capacity == 0)
            return status;
        if (string.IsNullOrEmpty(message))
            message = StatusName(status);
        var destination = new Span<byte>(error->message, (int)Math.Min(error->capacity, int.MaxValue));
        // FromUtf16 stops before a character that does not fit whole: the truncation is at a boundary.
        Utf8.FromUtf16(message, destination, out _, out int written, replaceInvalidSequences: true, isFinalBlock: true);
        error->len = (ulong)written;
        error->code = code;
        return status;
    }

    /// <summary>The C name of a status code, for messages.</summary>
    public static string StatusName(int status) => NpAbi.StatusName(status) ?? $"status {status}";
}
