using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Harness;

/// <summary>Reads the library's np_str_t values defensively and shows untrusted bytes safely.</summary>
internal static unsafe class NativeText
{
    /// <summary>A descriptor string longer than this is taken as a garbage length, not text.</summary>
    public const ulong MaxDescriptorString = 64 * 1024;

    /// <summary>The bytes of a string, or a problem: NULL with a length, an absurd length.</summary>
    public static byte[]? TryBytes(np_str_t s, out string? problem)
    {
        problem = null;
        if (s.len == 0) return [];
        if (s.ptr == null) { problem = $"ptr is NULL but len is {s.len}"; return null; }
        if (s.len > MaxDescriptorString) { problem = $"len is {s.len} (more than {MaxDescriptorString} bytes)"; return null; }
        return new ReadOnlySpan<byte>(s.ptr, (int)s.len).ToArray();
    }

    public static bool IsUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    /// <summary>Text for a report: valid UTF-8 as is (control characters escaped), anything else as \xNN escapes;
    /// cut at <paramref name="max"/> characters.</summary>
    public static string Show(ReadOnlySpan<byte> bytes, int max = 80)
    {
        var sb = new StringBuilder();
        if (IsUtf8(bytes))
        {
            foreach (var r in Encoding.UTF8.GetString(bytes).EnumerateRunes())
            {
                if (sb.Length >= max) { sb.Append('…'); break; }
                if (r.Value < 0x20 || r.Value == 0x7F) sb.Append($"\\x{r.Value:X2}");
                else sb.Append(r.ToString());
            }
        }
        else
        {
            foreach (var b in bytes)
            {
                if (sb.Length >= max) { sb.Append('…'); break; }
                if (b >= 0x20 && b < 0x7F) sb.Append((char)b); else sb.Append($"\\x{b:X2}");
            }
        }
        return sb.ToString();
    }

    public static string Quote(ReadOnlySpan<byte> bytes, int max = 80) => "'" + Show(bytes, max) + "'";
}
