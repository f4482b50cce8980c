using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>
/// A read-only view of records in native memory, in the ABI's batch layout (<c>np_batch_t</c>: concatenated bytes
/// plus <c>count + 1</c> offsets). Reading a record is a span over native memory: no copy, no allocation.
/// A view is valid only while its owner (a <see cref="RecordBuffer"/>, a <see cref="Pipeline"/> output) is neither
/// changed nor disposed.
/// </summary>
public readonly unsafe struct RecordBatch
{
    // A single zero offset so an empty batch has valid offsets (offsets[0] == 0) for plugins that read them.
    private static readonly ulong* ZeroOffset = (ulong*)NativeMemory.AllocZeroed((nuint)sizeof(ulong));

    /// <summary>A valid address with no bytes behind it, for empty records that must not be NULL.</summary>
    internal static byte* NonNullEmptyData => (byte*)ZeroOffset;

    private readonly byte* _data;
    private readonly ulong* _offsets;
    private readonly int _count;

    // offsets[count] when the view was made: every record is checked against it, never against the offsets again,
    // so a view over memory another process can write (a shared record buffer) cannot be made to reach past it.
    private readonly ulong _length;

    /// <summary>A view over native memory the caller owns: <paramref name="offsets"/> has <paramref name="count"/> + 1
    /// non-decreasing entries starting at 0, and <paramref name="data"/> at least <c>offsets[count]</c> bytes.</summary>
    public RecordBatch(byte* data, ulong* offsets, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (offsets == null && count != 0) throw new ArgumentNullException(nameof(offsets));
        _data = data;
        _offsets = offsets == null ? ZeroOffset : offsets;
        _count = count;
        _length = _offsets[count];
    }

    /// <summary>A view whose data length is <paramref name="length"/> (the owner's own record of it, not
    /// <c>offsets[count]</c>, which may lie in memory a worker can write).</summary>
    internal RecordBatch(byte* data, ulong* offsets, int count, ulong length)
    {
        _data = data;
        _offsets = offsets;
        _count = count;
        _length = length;
    }

    /// <summary>A batch with no records.</summary>
    public static RecordBatch Empty => new(null, ZeroOffset, 0, 0);

    /// <summary>Number of records.</summary>
    public int Count => _count;

    /// <summary>True when the batch has no records.</summary>
    public bool IsEmpty => _count == 0;

    /// <summary>Total bytes of all records.</summary>
    public long DataLength => (long)_length;

    /// <summary>All record bytes, concatenated.</summary>
    public ReadOnlySpan<byte> Data => new(_data, checked((int)DataLength));

    /// <summary>The bytes of record <paramref name="index"/>. Checks the offsets, so a corrupt batch cannot
    /// produce a span outside its data.</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
            ulong start = _offsets[index], end = _offsets[index + 1];
            if (end < start || end > _length || end - start > int.MaxValue)
                throw new InvalidOperationException($"corrupt batch: record {index} spans [{start}, {end})");
            return new ReadOnlySpan<byte>(_data + start, (int)(end - start));
        }
    }

    /// <summary>Record <paramref name="index"/> decoded as UTF-8 (allocates a string).</summary>
    public string GetString(int index) => Encoding.UTF8.GetString(this[index]);

    /// <summary>All records decoded as UTF-8 strings (allocates; for tests and tools).</summary>
    public List<string> ToStringList()
    {
        var list = new List<string>(_count);
        foreach (var r in this) list.Add(Encoding.UTF8.GetString(r));
        return list;
    }

    /// <summary>All records copied into byte arrays (allocates; for tests and tools).</summary>
    public List<byte[]> ToArrayList()
    {
        var list = new List<byte[]>(_count);
        foreach (var r in this) list.Add(r.ToArray());
        return list;
    }

    /// <summary>Enumerates the records as spans, without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Fills <paramref name="batch"/>, the ABI view handed to <c>process</c>, with scalar stores right before
    /// the plugin call (see NpScalarInit).</summary>
    internal void ToNative(np_batch_t* batch) =>
        NpScalarInit.Init(batch, data: _data, offsets: _offsets == null ? ZeroOffset : _offsets, count: (ulong)_count);

    internal byte* DataPointer => _data;

    /// <summary>The offsets (count + 1 entries; offsets[0] need not be 0 for a batch over someone else's memory).</summary>
    internal ulong* OffsetsPointer => _offsets;

    /// <summary>Span enumerator over the records of a <see cref="RecordBatch"/>.</summary>
    public ref struct Enumerator
    {
        private readonly RecordBatch _batch;
        private int _index;

        internal Enumerator(RecordBatch batch)
        {
            _batch = batch;
            _index = -1;
        }

        /// <summary>The current record.</summary>
        public readonly ReadOnlySpan<byte> Current => _batch[_index];

        /// <summary>Advances to the next record.</summary>
        public bool MoveNext() => ++_index < _batch._count;
    }
}
