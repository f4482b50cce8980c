// UTF-8 text across the boundary for every C# side of the repository (the host, the conformance harness, the C# SDK):
// reading a borrowed np_str_t without trusting it, showing untrusted bytes in a message, writing a static np_str_t.
// Hand-written: it mirrors nothing of the header; the rules are interop/README.md's (np_str_t, P2, P5).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace NativePlugins.Interop;

/// <summary>Why a borrowed <c>np_str_t</c> was not read.</summary>
public enum NativeTextProblem
{
    /// <summary>The string was read.</summary>
    None,

    /// <summary>A length but a NULL pointer (an empty string may have a NULL pointer; a longer one may not).</summary>
    NullPointer,

    /// <summary>Longer than the caller's limit: taken as a garbage length, and not read.</summary>
    TooLong,

    /// <summary>The bytes are not valid UTF-8.</summary>
    NotUtf8,
}

/// <summary>
/// Reads <c>np_str_t</c> values another side of the ABI hands over, checking pointer, length and UTF-8, and formats
/// untrusted bytes for messages. A string of length 0 is empty whatever its pointer (the pointer is never read); any
/// other length needs a non-NULL pointer and at most the caller's limit of bytes, so a garbage length never makes the
/// reader walk megabytes of foreign memory.
/// </summary>
public static unsafe class NativeText
{
    /// <summary>The limit for descriptor strings (sdk, ids, names, versions, descriptions, vendors) and log lines: no
    /// sane one is this long, and a garbage length must not make a host read megabytes of foreign memory.</summary>
    public const ulong MaxDescriptorStringBytes = 64 * 1024;

    /// <summary>The most a span can hold: the limit where a caller sets none (a plugin's config text).</summary>
    public const ulong MaxSpanBytes = int.MaxValue;

    /// <summary>The bytes of a borrowed string, not copied; <paramref name="bytes"/> is empty unless the result is
    /// <see cref="NativeTextProblem.None"/>. Never reads through a NULL pointer or past <paramref name="maxBytes"/>
    /// (clamped to <see cref="MaxSpanBytes"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static NativeTextProblem TryGetBytes(np_str_t s, ulong maxBytes, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (s.len == 0) return NativeTextProblem.None;
        if (s.ptr == null) return NativeTextProblem.NullPointer;
        if (s.len > Math.Min(maxBytes, MaxSpanBytes)) return NativeTextProblem.TooLong;
        bytes = new ReadOnlySpan<byte>(s.ptr, (int)s.len);
        return NativeTextProblem.None;
    }

    /// <summary>A copy of the bytes of a borrowed string, or null with <paramref name="problem"/> saying why (the
    /// pointer or the length: see <see cref="Describe"/>). UTF-8 is not checked here.</summary>
    public static byte[]? TryCopyBytes(np_str_t s, ulong maxBytes, out string? problem)
    {
        var result = TryGetBytes(s, maxBytes, out var bytes);
        problem = result == NativeTextProblem.None ? null : Describe(result, s, maxBytes);
        return problem is null ? bytes.ToArray() : null;
    }

    /// <summary>A borrowed string decoded strictly, or null with <paramref name="problem"/> saying why, as a phrase
    /// about "the string" (<c>the string is not valid UTF-8</c>).</summary>
    public static string? TryDecode(np_str_t s, out string? problem) => TryDecode(s, MaxSpanBytes, out problem);

    /// <inheritdoc cref="TryDecode(np_str_t, out string?)"/>
    public static string? TryDecode(np_str_t s, ulong maxBytes, out string? problem)
    {
        var result = TryGetBytes(s, maxBytes, out var bytes);
        if (result == NativeTextProblem.None && !Utf8.IsValid(bytes)) result = NativeTextProblem.NotUtf8;
        problem = result == NativeTextProblem.None ? null : "the string " + Describe(result, s, maxBytes);
        return problem is null ? Encoding.UTF8.GetString(bytes) : null;
    }

    /// <summary>What is wrong, as a predicate for a message that starts with the name of the string:
    /// <c>has length 5 but a NULL pointer</c>, <c>is 70000 bytes long (at most 65536)</c>, <c>is not valid UTF-8</c>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string Describe(NativeTextProblem problem, np_str_t s, ulong maxBytes) => problem switch
    {
        NativeTextProblem.NullPointer => $"has length {s.len} but a NULL pointer",
        NativeTextProblem.TooLong => $"is {s.len} bytes long (at most {Math.Min(maxBytes, MaxSpanBytes)})",
        NativeTextProblem.NotUtf8 => "is not valid UTF-8",
        _ => "is readable",
    };

    /// <summary>Whether <paramref name="bytes"/> are valid UTF-8 (an empty or null array is).</summary>
    public static bool IsUtf8(ReadOnlySpan<byte> bytes) => Utf8.IsValid(bytes);

    /// <summary>Lenient decoding for log lines and diagnostics: invalid sequences become U+FFFD, a NULL pointer is empty,
    /// at most <paramref name="maxBytes"/> bytes are read (the rest is cut).</summary>
    public static string DecodeLenient(np_str_t s, ulong maxBytes)
    {
        if (s.ptr == null || s.len == 0) return string.Empty;
        return Encoding.UTF8.GetString(s.ptr, (int)Math.Min(s.len, Math.Min(maxBytes, MaxSpanBytes)));
    }

    /// <summary>A printable, ASCII-only form of arbitrary bytes (for an id in an error, say): printable ASCII kept, every
    /// other byte and the backslash as <c>\xNN</c>, so the form is unambiguous and shows no look-alike characters.</summary>
    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes) AppendByte(sb, b);
        return sb.ToString();
    }

    /// <summary>Readable text for a report: valid UTF-8 as text (control characters and the backslash escaped), anything
    /// else as <see cref="Escape"/> does; cut with <c>…</c> once <paramref name="max"/> characters are shown.</summary>
    public static string Show(ReadOnlySpan<byte> bytes, int max = 80)
    {
        var sb = new StringBuilder();
        if (Utf8.IsValid(bytes))
        {
            foreach (var r in Encoding.UTF8.GetString(bytes).EnumerateRunes())
            {
                if (sb.Length >= max) { sb.Append('…'); break; }
                if (r.IsAscii) AppendByte(sb, (byte)r.Value);
                else if (BreaksTheLine(r)) sb.Append("\\u").Append(r.Value.ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                else sb.Append(r.ToString());
            }
        }
        else
        {
            foreach (var b in bytes)
            {
                if (sb.Length >= max) { sb.Append('…'); break; }
                AppendByte(sb, b);
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Plugin-provided text as it may appear in an error message or a report line (interop/README.md section 5, "Text
    /// in messages"; the cases are interop/vectors/display-text.tsv): valid UTF-8 is kept, except the characters that
    /// would break the line or take over the terminal or the reading order, which are escaped: C0 controls and DEL as
    /// <c>\xHH</c>; C1 controls, the bidi marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
    /// U+202A..U+202E, U+2066..U+2069) and the line and paragraph separators (U+2028, U+2029) as <c>\uHHHH</c>.
    /// Every byte that is not part of a valid UTF-8 sequence becomes <c>\xHH</c>. The backslash itself is kept (paths
    /// and regular expressions stay readable; the result is for people, <see cref="Escape"/> is the unambiguous form).
    /// So the result is always one line, and applying it again changes nothing.
    /// </summary>
    public static string OneLine(ReadOnlySpan<byte> bytes)
    {
        int clean = 0;
        while (clean < bytes.Length && bytes[clean] is >= 0x20 and < 0x7f) clean++;
        if (clean == bytes.Length) return Encoding.ASCII.GetString(bytes); // the usual case: printable ASCII
        var sb = new StringBuilder(bytes.Length + 16);
        sb.Append(Encoding.ASCII.GetString(bytes[..clean]));
        var rest = bytes[clean..];
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(rest, out var r, out int used) != System.Buffers.OperationStatus.Done)
            {
                // Invalid or truncated: each byte of the ill-formed part on its own (the decoder never swallows a
                // byte that could start a valid sequence, so any reader that escapes byte by byte agrees).
                for (int i = 0; i < used; i++) AppendHex(sb, "\\x", rest[i], 2);
            }
            else
            {
                AppendOneLine(sb, r);
            }
            rest = rest[used..];
        }
        return sb.ToString();
    }

    /// <summary><see cref="OneLine(ReadOnlySpan{byte})"/> for text already decoded (a file name, a message built from
    /// several parts). A lone surrogate, which UTF-8 cannot carry, is shown as <c>\uHHHH</c>.</summary>
    public static string OneLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int i = 0;
        while (i < text.Length && text[i] is >= ' ' and < '\x7f') i++;
        if (i == text.Length) return text;
        var sb = new StringBuilder(text.Length + 16);
        sb.Append(text, 0, i);
        while (i < text.Length)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var r, out int used) != System.Buffers.OperationStatus.Done)
                AppendHex(sb, "\\u", text[i], 4);
            else
                AppendOneLine(sb, r);
            i += used;
        }
        return sb.ToString();
    }

    /// <summary>Whether <see cref="OneLine(ReadOnlySpan{byte})"/> escapes this character.</summary>
    public static bool BreaksTheLine(Rune r) =>
        r.Value is < 0x20 or (>= 0x7f and <= 0x9f) or 0x061c or 0x200e or 0x200f or 0x2028 or 0x2029
            or (>= 0x202a and <= 0x202e) or (>= 0x2066 and <= 0x2069);

    private static void AppendOneLine(StringBuilder sb, Rune r)
    {
        if (!BreaksTheLine(r)) sb.Append(r.ToString());
        else if (r.Value < 0x80) AppendHex(sb, "\\x", r.Value, 2);
        else AppendHex(sb, "\\u", r.Value, 4);
    }

    private static void AppendHex(StringBuilder sb, string prefix, int value, int digits) =>
        sb.Append(prefix).Append(value.ToString(digits == 2 ? "x2" : "x4", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary><see cref="Show"/> in single quotes.</summary>
    public static string Quote(ReadOnlySpan<byte> bytes, int max = 80) => "'" + Show(bytes, max) + "'";

    private static void AppendByte(StringBuilder sb, byte b)
    {
        if (b is >= 0x20 and < 0x7f && b != (byte)'\\') sb.Append((char)b);
        else sb.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
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
