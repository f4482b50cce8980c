namespace NativePlugins.Benchmarks.Peers;

/// <summary>
/// Records in host memory in the layout the Wasm stage module reads and writes (benchmarks/peers/wasm/
/// np_bench_wasm_stage.c): concatenated record bytes and <c>Count + 1</c> uint64 offsets starting at 0. A Wasm plugin
/// host defines such a wire format for its plugins; this one makes the copies in and out of linear memory two block
/// copies each, the cheapest a host can do. Keeps its capacity across batches.
/// </summary>
public sealed class WasmRecords
{
    public byte[] Data;
    public ulong[] Offsets;
    public int Count;

    public WasmRecords(int dataCapacity = 64 * 1024, int recordCapacity = 1024)
    {
        Data = new byte[Math.Max(dataCapacity, 1)];
        Offsets = new ulong[Math.Max(recordCapacity, 1) + 1];
    }

    public int DataLength => (int)Offsets[Count];

    public ReadOnlySpan<byte> this[int index] => Data.AsSpan((int)Offsets[index], (int)(Offsets[index + 1] - Offsets[index]));

    /// <summary>Makes room for <paramref name="bytes"/> record bytes and <paramref name="records"/> records, dropping
    /// the contents (the caller writes a whole batch next).</summary>
    public void Reset(int bytes, int records)
    {
        if (Data.Length < bytes) Data = new byte[Math.Max(bytes, Data.Length * 2)];
        if (Offsets.Length < records + 1) Offsets = new ulong[Math.Max(records + 1, Offsets.Length * 2)];
        Count = records;
    }

    public static WasmRecords Create(int size, int count)
    {
        var records = new WasmRecords(size * count, count);
        records.Reset(size * count, count);
        for (int i = 0; i < count; i++)
        {
            Throughput.BenchRecords.Fill(records.Data.AsSpan(i * size, size), i);
            records.Offsets[i + 1] = (ulong)((i + 1) * size);
        }
        return records;
    }
}
