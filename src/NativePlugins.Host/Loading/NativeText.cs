using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Loading;

/// <summary>The name of a descriptor field in error messages: <c>name</c>, <c>plugins[3]</c> or
/// <c>plugins[3].id</c>. A struct passed by value and formatted only when a check fails, so that validating a
/// good descriptor builds no message strings.</summary>
internal readonly struct FieldName(string name, ulong index = FieldName.NoIndex, string? member = null)
{
    private const ulong NoIndex = ulong.MaxValue;

    public static implicit operator FieldName(string name) => new(name);

    public override string ToString() =>
        index == NoIndex ? name : member is null ? $"{name}[{index}]" : $"{name}[{index}].{member}";
}

/// <summary>Reads <c>np_str_t</c> values a library hands over, checking pointer, length and UTF-8 (rule P2).</summary>
internal static unsafe class NativeText
{
    /// <summary>Descriptor strings longer than this are refused: no sane id, name or description is this long,
    /// and a garbage length must not make the host read megabytes of foreign memory.</summary>
    public const ulong MaxDescriptorStringBytes = 64 * 1024;

    /// <summary>The bytes of a string, or a failure reason. Never reads when the pointer is NULL.</summary>
    public static ReadOnlySpan<byte> Bytes(np_str_t s, FieldName what, string file, string? pluginId)
    {
        if (s.len == 0) return default;
        if (s.ptr == null || s.len > MaxDescriptorStringBytes) throw BadString(s, what, file, pluginId);
        return new ReadOnlySpan<byte>(s.ptr, (int)s.len);
    }

    /// <summary>A validated UTF-8 string copied into managed memory.</summary>
    public static string Read(np_str_t s, FieldName what, string file, string? pluginId)
    {
        var bytes = Bytes(s, what, file, pluginId);
        if (bytes.IsEmpty) return string.Empty;
        if (!Utf8.IsValid(bytes)) throw NotUtf8(bytes, what, file, pluginId);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>The refusal of a string that is not valid UTF-8 (built on the failure path only).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static PluginLoadException NotUtf8(ReadOnlySpan<byte> bytes, FieldName what, string file, string? pluginId) =>
        new(PluginLoadError.InvalidUtf8, file, pluginId, $"{what} is not valid UTF-8 ({Escape(bytes)})");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static PluginLoadException BadString(np_str_t s, FieldName what, string file, string? pluginId) =>
        s.ptr == null
            ? new(PluginLoadError.NullPointer, file, pluginId, $"{what} has length {s.len} but a NULL pointer")
            : new(PluginLoadError.InvalidValue, file, pluginId,
                $"{what} is {s.len} bytes long (at most {MaxDescriptorStringBytes})");

    /// <summary>A printable form of arbitrary bytes for error messages: ASCII kept, the rest as <c>\xNN</c>.</summary>
    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and < 0x7f && b != (byte)'\\') sb.Append((char)b);
            else sb.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Lenient decoding for log lines: invalid sequences become U+FFFD, a NULL pointer is empty.</summary>
    public static string DecodeLenient(np_str_t s, ulong maxBytes)
    {
        if (s.ptr == null || s.len == 0) return string.Empty;
        var n = (int)Math.Min(s.len, maxBytes);
        return Encoding.UTF8.GetString(s.ptr, n);
    }
}
