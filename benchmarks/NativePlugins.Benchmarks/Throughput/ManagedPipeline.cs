using System.Text;

namespace NativePlugins.Benchmarks.Throughput;

/// <summary>
/// The throughput pipeline written as plain C#, no plugin ABI at all: the same three stages as the benchmark plugins
/// (benchmarks/native/plugins/np_bench_plugin.c: upper, grep pattern=#EVEN, count), each writing into its own
/// reusable output, with the same batch-level algorithm as the plugins and the BCL's vectorized span operations
/// (Ascii.ToUpper, IndexOf, CopyTo) where the plugins use np_bytes.h's kernels: upper maps the batch's bytes in one
/// pass, grep runs one search across the batch and copies each run of consecutive kept records as one block, count
/// copies the batch as one block. Neither side does per-record work the other does not. It answers "how much does
/// going through native plugins cost a .NET user".
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

    /// <summary>ASCII upper case of the whole batch; bytes outside 'a'..'z' are copied unchanged (as the C stage
    /// does: Ascii.ToUpper stops at a byte >= 0x80, which is copied, and goes on after it).</summary>
    private static void Upper(ManagedRecords input, ManagedRecords output)
    {
        output.Clear();
        var source = input.Bytes(0, input.Count);
        var target = output.AppendRecords(input, 0, input.Count);
        while (Ascii.ToUpper(source, target, out int done) != System.Buffers.OperationStatus.Done)
        {
            target[done] = source[done]; // not ASCII: unchanged
            source = source[(done + 1)..];
            target = target[(done + 1)..];
        }
    }

    private static void Grep(ManagedRecords input, ManagedRecords output, byte[] pattern)
    {
        output.Clear();
        int r = FindRecord(input, 0, pattern);
        while (r < input.Count)
        {
            int end = r + 1, next;
            while ((next = FindRecord(input, end, pattern)) == end && end < input.Count) end++;
            input.Bytes(r, end - r).CopyTo(output.AppendRecords(input, r, end - r));
            r = next;
        }
    }

    /// <summary>The first record at or after <paramref name="first"/> containing <paramref name="pattern"/>, or
    /// Count: one IndexOf across the batch (np_bytes.h's np_bytes_find_record), a hit that straddles two records
    /// belonging to neither.</summary>
    private static int FindRecord(ManagedRecords records, int first, ReadOnlySpan<byte> pattern)
    {
        int count = records.Count;
        if (first >= count) return count;
        int[] offsets = records.Offsets;
        int r = first, from = offsets[first], end = offsets[count];
        while (true)
        {
            int hit = records.Data.AsSpan(from, end - from).IndexOf(pattern);
            if (hit < 0) return count;
            int at = from + hit, hitEnd = at + pattern.Length;
            while (offsets[r + 1] < hitEnd) r++;
            if (at >= offsets[r]) return r;
            from = at + 1;
        }
    }

    private void Count(ManagedRecords input, ManagedRecords output)
    {
        output.Clear();
        var bytes = input.Bytes(0, input.Count);
        bytes.CopyTo(output.AppendRecords(input, 0, input.Count));
        CountedBytes += (ulong)bytes.Length;
        CountedRecords += (ulong)input.Count;
    }
}
