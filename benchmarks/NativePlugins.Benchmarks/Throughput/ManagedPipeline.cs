using System.Text;

namespace NativePlugins.Benchmarks.Throughput;

/// <summary>
/// The throughput pipeline written as plain C#, no plugin ABI at all: the same three stages as the benchmark plugins
/// (benchmarks/native/plugins/np_bench_plugin.c: upper, grep pattern=#EVEN, count), each writing into its own
/// reusable output, the way a good .NET developer would write them (the BCL's vectorized Ascii.ToUpper and
/// IndexOf). It answers "how much does going through native plugins cost a .NET user".
/// </summary>
public sealed class ManagedPipeline
{
    private readonly byte[] _pattern;
    private readonly ManagedRecords _upper = new(), _grep = new(), _count = new();

    public ManagedPipeline(string pattern) => _pattern = Encoding.UTF8.GetBytes(pattern);

    /// <summary>Records and bytes the count stage has seen (its stats).</summary>
    public ulong CountedRecords, CountedBytes;

    public ManagedRecords Process(ManagedRecords input)
    {
        Upper(input, _upper);
        Grep(_upper, _grep, _pattern);
        Count(_grep, _count);
        return _count;
    }

    /// <summary>ASCII upper case; bytes outside 'a'..'z' are copied unchanged (as the C stage does).</summary>
    private static void Upper(ManagedRecords input, ManagedRecords output)
    {
        output.Clear();
        for (int i = 0; i < input.Count; i++)
        {
            var record = input[i];
            var slot = output.AppendSlot(record.Length);
            if (Ascii.ToUpper(record, slot, out _) != System.Buffers.OperationStatus.Done)
                for (int j = 0; j < record.Length; j++)
                {
                    byte c = record[j];
                    slot[j] = (byte)(c - ((uint)(c - 'a') < 26 ? 32 : 0));
                }
        }
    }

    private static void Grep(ManagedRecords input, ManagedRecords output, byte[] pattern)
    {
        output.Clear();
        for (int i = 0; i < input.Count; i++)
        {
            var record = input[i];
            if (record.IndexOf(pattern) >= 0) record.CopyTo(output.AppendSlot(record.Length));
        }
    }

    private void Count(ManagedRecords input, ManagedRecords output)
    {
        output.Clear();
        for (int i = 0; i < input.Count; i++)
        {
            var record = input[i];
            record.CopyTo(output.AppendSlot(record.Length));
            CountedBytes += (ulong)record.Length;
        }
        CountedRecords += (ulong)input.Count;
    }
}
