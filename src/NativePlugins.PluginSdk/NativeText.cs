using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk;

/// <summary>UTF-8 text across the boundary: reading borrowed <c>np_str_t</c>s and writing static ones.</summary>
internal static unsafe class NativeText
{
    /// <summary>Decodes a borrowed string, replacing invalid UTF-8 (for diagnostics such as the host's name).</summary>
    public static string ToStringLossy(np_str_t text)
    {
        if (text.ptr is null || text.len == 0)
            return "";
        return Encoding.UTF8.GetString(text.ptr, (int)Math.Min(text.len, int.MaxValue));
    }

    /// <summary>Decodes a borrowed string strictly; null with a reason when it is not valid UTF-8.</summary>
    public static string? TryDecode(np_str_t text, out string? error)
    {
        error = null;
        if (text.len == 0)
            return "";
        if (text.ptr is null)
        {
            error = $"the string has length {text.len} but a NULL pointer";
            return null;
        }
        if (text.len > int.MaxValue)
        {
            error = $"the string is {text.len} bytes long";
            return null;
        }
        var bytes = new ReadOnlySpan<byte>(text.ptr, (int)text.len);
        if (!Utf8.IsValid(bytes))
        {
            error = "the string is not valid UTF-8";
            return null;
        }
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Copies <paramref name="value"/> into native memory that is never freed (descriptor strings are static
    /// data of the library). NUL-terminated for C readers' convenience; len excludes the NUL.</summary>
    public static np_str_t AllocateStatic(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        byte* bytes = (byte*)NativeMemory.AllocZeroed((nuint)length + 1);
        Encoding.UTF8.GetBytes(value, new Span<byte>(bytes, length));
        return new np_str_t { ptr = bytes, len = (ulong)length };
    }

    /// <inheritdoc cref="AllocateStatic(string)"/>
    public static np_str_t AllocateStatic(ReadOnlySpan<byte> utf8)
    {
        byte* bytes = (byte*)NativeMemory.AllocZeroed((nuint)utf8.Length + 1);
        utf8.CopyTo(new Span<byte>(bytes, utf8.Length));
        return new np_str_t { ptr = bytes, len = (ulong)utf8.Length };
    }
}
