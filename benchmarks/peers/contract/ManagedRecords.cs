namespace NativePlugins.Benchmarks.PeerContract;

/// <summary>
/// Records in managed memory, the way a plain C# program would hold them without any plugin ABI: one byte array of
/// concatenated record bytes and an offsets array (record i is Data[Offsets[i]..Offsets[i + 1])). Grows by doubling
/// and keeps its capacity across <see cref="Clear"/>, like the host's RecordBuffer. It is part of the managed peers'
/// contract (benchmarks/peers/README.md): the plain C# pipeline and the plugins loaded through McMaster.NETCore.Plugins
/// exchange records in this one type, which the host shares with each plugin's load context.
/// </summary>
public sealed class ManagedRecords
{
    public byte[] Data;
    public int[] Offsets;
    public int Count;
    public int DataLength;

    public ManagedRecords(int dataCapacity = 64 * 1024, int recordCapacity = 1024)
    {
        Data = new byte[Math.Max(dataCapacity, 1)];
        Offsets = new int[Math.Max(recordCapacity, 1) + 1];
    }

    public ReadOnlySpan<byte> this[int index] => Data.AsSpan(Offsets[index], Offsets[index + 1] - Offsets[index]);

    public void Clear()
    {
        Count = 0;
        DataLength = 0;
    }

    /// <summary>Room for one more record of <paramref name="length"/> bytes; returns where to write it.</summary>
    public Span<byte> AppendSlot(int length)
    {
        if (Data.Length - DataLength < length) Array.Resize(ref Data, Math.Max(Data.Length * 2, DataLength + length));
        if (Offsets.Length - Count < 2) Array.Resize(ref Offsets, Offsets.Length * 2);
        var slot = Data.AsSpan(DataLength, length);
        DataLength += length;
        Offsets[++Count] = DataLength;
        return slot;
    }

    /// <summary>The bytes of records <paramref name="first"/>..first + count (contiguous, as in a batch).</summary>
    public ReadOnlySpan<byte> Bytes(int first, int count) =>
        Data.AsSpan(Offsets[first], Offsets[first + count] - Offsets[first]);

    /// <summary>Room for records <paramref name="first"/>..first + count of <paramref name="source"/> as one block:
    /// their offsets are appended (shifted to where the block lands); returns where to write their bytes.</summary>
    public Span<byte> AppendRecords(ManagedRecords source, int first, int count)
    {
        int start = source.Offsets[first], length = source.Offsets[first + count] - start;
        if (Data.Length - DataLength < length) Array.Resize(ref Data, Math.Max(Data.Length * 2, DataLength + length));
        if (Offsets.Length - Count - 1 < count) Array.Resize(ref Offsets, Math.Max(Offsets.Length * 2, Count + count + 1));
        int shift = DataLength - start;
        var from = source.Offsets.AsSpan(first + 1, count);
        var to = Offsets.AsSpan(Count + 1, count);
        for (int k = 0; k < from.Length; k++) to[k] = from[k] + shift;
        var slot = Data.AsSpan(DataLength, length);
        DataLength += length;
        Count += count;
        return slot;
    }
}
