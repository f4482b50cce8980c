using System.Runtime.CompilerServices;
using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk;

/// <summary>
/// A variable-size result (<c>np_out_bytes_t</c>, ABI 1.2): the caller's buffer, which a plugin method appends to.
/// It follows the protocol of <c>nplug/np_types.h</c> directly over the caller's memory: bytes are written only past
/// <c>len</c>, <c>len</c> only grows, the caller's <c>reserve</c> is called only when the buffer is too small (and
/// <c>data</c>/<c>capacity</c> re-read after it), and a caller whose buffer cannot grow (<c>reserve</c> NULL) gets
/// NP_ERR_OUT_OF_MEMORY naming the size that was needed. A failure to grow throws a <see cref="PluginException"/>
/// carrying the status: let it propagate, the SDK returns that status, and what was appended before stays appended.
/// Borrowed for the call (a ref struct): the plugin keeps nothing of it after returning.
/// </summary>
public readonly unsafe ref struct OutBytes
{
    private readonly np_out_bytes_t* _target;

    /// <summary>Wraps a caller's buffer. The SDK validates it (<see cref="Validate"/>) before handing it over.</summary>
    public OutBytes(np_out_bytes_t* target)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
    }

    /// <summary>Bytes in the caller's buffer, including any the caller had there before this call.</summary>
    public long Length => (long)_target->len;

    /// <summary>Appends <paramref name="bytes"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(ReadOnlySpan<byte> bytes)
    {
        np_out_bytes_t* o = _target;
        if (o->capacity - o->len < (ulong)bytes.Length)
            Reserve(o, (ulong)bytes.Length);
        bytes.CopyTo(new Span<byte>(o->data + o->len, bytes.Length));
        o->len += (ulong)bytes.Length;
    }

    /// <summary>Appends <paramref name="text"/> encoded as UTF-8, straight into the caller's buffer.</summary>
    public void WriteUtf8(ReadOnlySpan<char> text)
    {
        np_out_bytes_t* o = _target;
        int length = Encoding.UTF8.GetByteCount(text);
        if (o->capacity - o->len < (ulong)length)
            Reserve(o, (ulong)length);
        int written = Encoding.UTF8.GetBytes(text, new Span<byte>(o->data + o->len, length));
        o->len += (ulong)written;
    }

    /// <summary>
    /// Writable space of at least <paramref name="minLength"/> bytes after what is written, for a result built in
    /// place; <see cref="Advance"/> then appends the first bytes of it. Nothing is appended until then.
    /// </summary>
    public Span<byte> GetSpan(int minLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minLength);
        np_out_bytes_t* o = _target;
        if (o->capacity - o->len < (ulong)minLength)
            Reserve(o, (ulong)minLength);
        return new Span<byte>(o->data + o->len, (int)Math.Min(o->capacity - o->len, int.MaxValue));
    }

    /// <summary>Appends the first <paramref name="count"/> bytes written into <see cref="GetSpan"/>'s span.</summary>
    public void Advance(int count)
    {
        np_out_bytes_t* o = _target;
        if (count < 0 || (ulong)count > o->capacity - o->len)
            throw new InvalidOperationException(
                $"Advance({count}) past the space GetSpan made ({o->capacity - o->len} bytes free)");
        o->len += (ulong)count;
    }

    /// <summary>The slow path: grow the caller's buffer through its reserve, then check it really did.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Reserve(np_out_bytes_t* o, ulong additional)
    {
        if (o->reserve is null)
        {
            throw new PluginException(NpAbi.NP_ERR_OUT_OF_MEMORY,
                $"the result needs {o->len + additional} bytes; the caller's buffer holds {o->capacity} and cannot grow (reserve is NULL)");
        }
        int status = o->reserve(o, additional);
        if (status != NpAbi.NP_OK)
        {
            throw new PluginException(status < 0 ? status : NpAbi.NP_ERR_OUT_OF_MEMORY,
                $"the caller could not grow its output buffer by {additional} bytes (reserve returned {ErrorName(status)})");
        }
        if (o->capacity - o->len < additional || o->len > o->capacity || o->data is null && additional > 0)
        {
            throw new PluginException(NpAbi.NP_ERR_INVALID_ARGUMENT,
                $"the caller's reserve returned NP_OK without making room for {additional} bytes");
        }
    }

    private static string ErrorName(int status) => NpAbi.StatusName(status) ?? $"status {status}";

    /// <summary>Checks what a caller hands over (rule P6); null when valid, else the problem, naming the parameter.</summary>
    internal static string? Validate(np_out_bytes_t* o, string parameter)
    {
        if (o is null)
            return $"{parameter} is NULL";
        if (o->struct_size < NpAbi.NP_MIN_SIZEOF_np_out_bytes_t)
            return $"{parameter}.struct_size is {o->struct_size}, expected at least {NpAbi.NP_MIN_SIZEOF_np_out_bytes_t}";
        if (o->len > o->capacity)
            return $"{parameter}.len {o->len} exceeds its capacity {o->capacity}";
        if (o->data is null && o->capacity > 0)
            return $"{parameter}.data is NULL but its capacity is {o->capacity}";
        return null;
    }
}
