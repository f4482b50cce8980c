using System.Text;
using NativePlugins.Benchmarks.PeerContract;

namespace NativePlugins.Benchmarks.Throughput;

/// <summary>
/// The three stages of the throughput pipeline in plain C#: the same logic as the benchmark plugins
/// (benchmarks/native/plugins/np_bench_plugin.c: upper, grep pattern=#EVEN, count), each writing into its own reusable
/// output, with the same batch-level algorithm as the plugins and the BCL's vectorized span operations (Ascii.ToUpper,
/// IndexOf, CopyTo) where the plugins use np_bytes.h's kernels: neither side does per-record work the other does not. One
/// source for two peers: <see cref="ManagedPipeline"/> calls it directly, and the managed plugin
/// (benchmarks/peers/managed-plugin) compiles this same file, so the two differ only by the plugin system between
/// host and code.
/// </summary>
internal static class ManagedStages
{
    /// <summary>ASCII upper case of the whole batch in one pass; bytes outside 'a'..'z' are copied unchanged (as the
    /// C stage does: Ascii.ToUpper stops at a byte >= 0x80, which is copied, and goes on after it).</summary>
    public static void Upper(ManagedRecords input, ManagedRecords output)
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

    /// <summary>Keeps the records that contain <paramref name="pattern"/>: one search across the batch, each run of
    /// consecutive kept records copied as one block (as np_bytes.h's np_bytes_find_record serves the C stage).</summary>
    public static void Grep(ManagedRecords input, ManagedRecords output, byte[] pattern)
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
    /// Count: one IndexOf across the batch, a hit that straddles two records belonging to neither.</summary>
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

    /// <summary>Passes the batch through as one block, adding to the counters.</summary>
    public static void Count(ManagedRecords input, ManagedRecords output, ref ulong records, ref ulong bytes)
    {
        output.Clear();
        var block = input.Bytes(0, input.Count);
        block.CopyTo(output.AppendRecords(input, 0, input.Count));
        bytes += (ulong)block.Length;
        records += (ulong)input.Count;
    }

    /// <summary>The grep stage's config, "pattern=..." (1..64 bytes, as the C stage accepts), as bytes.</summary>
    public static byte[] ParseGrepPattern(string config)
    {
        const string key = "pattern=";
        if (!config.StartsWith(key, StringComparison.Ordinal) || config.Contains(';'))
            throw new ArgumentException($"grep: config '{config}' is not 'pattern=...'", nameof(config));
        var pattern = Encoding.UTF8.GetBytes(config[key.Length..]);
        if (pattern.Length is 0 or > 64) throw new ArgumentException("grep: 'pattern' must be 1..64 bytes", nameof(config));
        return pattern;
    }
}
