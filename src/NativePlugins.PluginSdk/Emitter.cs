using System.Runtime.CompilerServices;
using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk;

/// <summary>
/// Appends output records to the host's buffers (<c>np_emitter_t</c>), implementing the emitter protocol in C#
/// directly over native memory: emitting a record is a bounds check and a copy; the host's <c>reserve</c> is called
/// only when its buffers must grow (rule P10). Nothing crosses back into the host per record.
/// Borrowed for the call (a ref struct). When the host cannot grow its buffers the emit throws a
/// <see cref="PluginException"/> carrying <c>reserve</c>'s status: let it propagate, the SDK returns that status.
/// </summary>
public readonly unsafe ref struct Emitter
{
    private readonly np_emitter_t* _target;

    /// <summary>Wraps a host emitter. The SDK validates it before handing it to a plugin.</summary>
    public Emitter(np_emitter_t* target)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
    }

    /// <summary>Records in the host's buffer (including any the host had there before this call).</summary>
    public long Count => (long)_target->count;

    /// <summary>Bytes in the host's buffer.</summary>
    public long BytesUsed => (long)_target->data_used;

    /// <summary>Appends one record.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Emit(ReadOnlySpan<byte> record)
    {
        np_emitter_t* e = _target;
        ulong length = (ulong)record.Length;
        if (e->data_capacity - e->data_used < length || e->offsets_capacity - e->count < 2)
            Reserve(e, length);
        ulong used = e->data_used;
        record.CopyTo(new Span<byte>(e->data + used, record.Length));
        Append(e, used + length);
    }

    /// <summary>Appends one record made of two parts (a prefix and a value, say) without a managed copy.</summary>
    public void Emit(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        np_emitter_t* e = _target;
        ulong length = (ulong)first.Length + (ulong)second.Length;
        if (e->data_capacity - e->data_used < length || e->offsets_capacity - e->count < 2)
            Reserve(e, length);
        byte* at = e->data + e->data_used;
        first.CopyTo(new Span<byte>(at, first.Length));
        second.CopyTo(new Span<byte>(at + first.Length, second.Length));
        Append(e, e->data_used + length);
    }

    /// <summary>Appends one record: <paramref name="text"/> encoded as UTF-8 straight into the host's buffer.</summary>
    public void EmitUtf8(ReadOnlySpan<char> text)
    {
        np_emitter_t* e = _target;
        int length = Encoding.UTF8.GetByteCount(text);
        if (e->data_capacity - e->data_used < (ulong)length || e->offsets_capacity - e->count < 2)
            Reserve(e, (ulong)length);
        int written = Encoding.UTF8.GetBytes(text, new Span<byte>(e->data + e->data_used, length));
        Append(e, e->data_used + (ulong)written);
    }

    /// <summary>
    /// Returns writable space of at least <paramref name="minLength"/> bytes at the end of the host's buffer, for a
    /// record built in place; finish it with <see cref="CommitRecord"/>. Nothing is emitted until then.
    /// </summary>
    public Span<byte> GetRecordBuffer(int minLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minLength);
        np_emitter_t* e = _target;
        if (e->data_capacity - e->data_used < (ulong)minLength || e->offsets_capacity - e->count < 2)
            Reserve(e, (ulong)minLength);
        ulong free = Math.Min(e->data_capacity - e->data_used, int.MaxValue);
        return new Span<byte>(e->data + e->data_used, (int)free);
    }

    /// <summary>Emits the first <paramref name="length"/> bytes written into <see cref="GetRecordBuffer"/>'s span.</summary>
    public void CommitRecord(int length)
    {
        np_emitter_t* e = _target;
        if (length < 0 || (ulong)length > e->data_capacity - e->data_used || e->offsets_capacity - e->count < 2)
            throw new InvalidOperationException(
                $"CommitRecord({length}) without room reserved by GetRecordBuffer ({e->data_capacity - e->data_used} bytes free)");
        Append(e, e->data_used + (ulong)length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Append(np_emitter_t* e, ulong used)
    {
        ulong count = e->count + 1;
        e->data_used = used;
        e->offsets[count] = used;
        e->count = count;
    }

    /// <summary>The slow path: ask the host to grow its buffers, then re-read them (they may have moved).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Reserve(np_emitter_t* e, ulong bytes)
    {
        int status = e->reserve(e, bytes, 1);
        if (status != NpAbi.NP_OK)
        {
            throw new PluginException(status < 0 ? status : NpAbi.NP_ERR_OUT_OF_MEMORY,
                $"the host could not grow its output buffer by {bytes} bytes (reserve returned {status})");
        }
        if (e->data_capacity - e->data_used < bytes || e->offsets_capacity - e->count < 2 || e->data is null && bytes > 0)
        {
            throw new PluginException(NpAbi.NP_ERR_INVALID_ARGUMENT,
                $"the host's reserve returned NP_OK without making room for {bytes} bytes and one record");
        }
    }

    /// <summary>Checks the invariants a host establishes before each call (rule H5); null when valid.</summary>
    internal static string? Validate(np_emitter_t* e)
    {
        if (e is null)
            return "emitter is NULL";
        if (e->struct_size < (uint)sizeof(np_emitter_t))
            return $"emitter struct_size is {e->struct_size}, expected at least {sizeof(np_emitter_t)}";
        if (e->reserve is null)
            return "emitter reserve is NULL";
        if (e->offsets is null || e->offsets_capacity < e->count + 1 || e->count == ulong.MaxValue)
            return $"emitter offsets cannot hold count + 1 = {e->count + 1} entries (capacity {e->offsets_capacity})";
        if (e->data_used > e->data_capacity)
            return $"emitter data_used {e->data_used} exceeds data_capacity {e->data_capacity}";
        if (e->offsets[e->count] != e->data_used)
            return $"emitter offsets[count] = {e->offsets[e->count]} differs from data_used = {e->data_used}";
        return null;
    }
}
