using NativePlugins.Interop;

namespace NativePlugins.PluginSdk;

/// <summary>
/// A batch of input records (<c>np_batch_t</c>), read straight from the host's memory without a copy. Record
/// <c>i</c> is <c>data[offsets[i] .. offsets[i+1])</c>. Borrowed: valid only during the call that received it,
/// which is why it is a ref struct. The SDK validated the offsets before the plugin sees the batch.
/// </summary>
public readonly unsafe ref struct RecordBatch
{
    private readonly byte* _data;
    private readonly ulong* _offsets;
    private readonly int _count;

    /// <summary>Wraps native memory laid out as an <c>np_batch_t</c>; the offsets must be valid (count + 1
    /// non-decreasing entries starting at 0) and stay valid while the batch is used.</summary>
    public RecordBatch(byte* data, ulong* offsets, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _data = data;
        _offsets = offsets;
        _count = count;
    }

    /// <summary>Number of records.</summary>
    public int Count => _count;

    /// <summary>Total bytes of all records.</summary>
    public long TotalBytes => _count == 0 ? 0 : (long)(_offsets[_count] - _offsets[0]);

    /// <summary>Record <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"the batch has {_count} records");
            ulong start = _offsets[index];
            return new ReadOnlySpan<byte>(_data + start, (int)(_offsets[index + 1] - start));
        }
    }

    /// <summary>Enumerates the records in order.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Enumerator over the records of a <see cref="RecordBatch"/>.</summary>
    public ref struct Enumerator
    {
        private readonly RecordBatch _batch;
        private int _index;

        internal Enumerator(RecordBatch batch)
        {
            _batch = batch;
            _index = -1;
        }

        /// <summary>Advances to the next record.</summary>
        public bool MoveNext() => ++_index < _batch._count;

        /// <summary>The current record.</summary>
        public readonly ReadOnlySpan<byte> Current
        {
            get
            {
                ulong start = _batch._offsets[_index];
                return new ReadOnlySpan<byte>(_batch._data + start, (int)(_batch._offsets[_index + 1] - start));
            }
        }
    }

    /// <summary>
    /// Checks what a host handed over before any record is read (rule P6): offsets present, starting at 0,
    /// non-decreasing, every record at most <see cref="int.MaxValue"/> bytes, data present when there are bytes.
    /// Returns null when valid, else why not, with the status to return (NP_ERR_INVALID_ARGUMENT for a malformed
    /// batch, NP_ERR_INPUT for a well-formed record the SDK cannot hand to managed code).
    /// </summary>
    internal static string? Validate(np_batch_t* batch, out int status)
    {
        status = NpAbi.NP_ERR_INVALID_ARGUMENT;
        if (batch is null)
            return "batch is NULL";
        if (batch->count > int.MaxValue - 1)
            return $"batch has {batch->count} records; at most {int.MaxValue - 1} are supported";
        ulong* offsets = batch->offsets;
        if (offsets is null)
            return batch->count == 0 ? null : "batch offsets is NULL";
        if (offsets[0] != 0)
            return $"batch offsets[0] is {offsets[0]}, must be 0";
        int count = (int)batch->count;
        ulong previous = 0;
        for (int i = 1; i <= count; i++)
        {
            ulong next = offsets[i];
            if (next < previous)
                return $"batch offsets decrease at record {i - 1} ({previous} -> {next})";
            if (next - previous > int.MaxValue)
            {
                status = NpAbi.NP_ERR_INPUT;
                return $"batch record {i - 1} is {next - previous} bytes; C# plugins take records up to {int.MaxValue} bytes";
            }
            previous = next;
        }
        if (previous > 0 && batch->data is null)
            return "batch data is NULL but the records hold bytes";
        return null;
    }
}
