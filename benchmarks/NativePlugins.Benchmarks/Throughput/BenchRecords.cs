using NativePlugins.Benchmarks.PeerContract;
using NativePlugins.Hosting;

namespace NativePlugins.Benchmarks.Throughput;

/// <summary>
/// The input of the throughput benchmarks, identical to benchmarks/native/harness/bench_records.h: record i of size n
/// is n - 5 lower-case letters ('a' + (i + j) % 26) followed by "#even" (i even) or "#odd_" (i odd), so that
/// upper | grep pattern=#EVEN | count keeps every second record.
/// </summary>
public static class BenchRecords
{
    public const int TailLength = 5;

    /// <summary>Writes record <paramref name="index"/> into <paramref name="record"/> (its length is the record size).</summary>
    public static void Fill(Span<byte> record, int index)
    {
        if (record.Length < TailLength) throw new ArgumentOutOfRangeException(nameof(record), "records are at least 5 bytes");
        int body = record.Length - TailLength;
        for (int j = 0; j < body; j++) record[j] = (byte)('a' + (index + j) % 26);
        (index % 2 == 0 ? "#even"u8 : "#odd_"u8).CopyTo(record[body..]);
    }

    /// <summary>A host buffer holding <paramref name="count"/> records of <paramref name="size"/> bytes
    /// (<paramref name="shared"/>: in shared memory, as an application feeding isolated plugins holds its input).</summary>
    public static RecordBuffer CreateBuffer(int size, int count, bool shared = false)
    {
        var buffer = shared ? RecordBuffer.CreateShared(size * count, count) : new RecordBuffer(size * count, count);
        Span<byte> record = new byte[size];
        for (int i = 0; i < count; i++)
        {
            Fill(record, i);
            buffer.Append(record);
        }
        return buffer;
    }

    /// <summary>The same records in managed memory (<see cref="ManagedRecords"/>), for the managed pipelines.</summary>
    public static ManagedRecords CreateManaged(int size, int count)
    {
        var records = new ManagedRecords(size * count, count);
        for (int i = 0; i < count; i++) Fill(records.AppendSlot(size), i);
        return records;
    }
}
