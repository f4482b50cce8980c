using System.Runtime.InteropServices;
using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Suite.Checks;

/// <summary>Rule P11: [leaf] functions never block, call the host or allocate. np.transform/1 has one, stats (@since
/// 1.1, optional). The check also holds stats to its header contract: counters since create, filled only as far as
/// the caller's struct_size reaches.</summary>
internal static unsafe class LeafChecks
{
    public static IEnumerable<Check> All =>
    [
        new(new("leaf.stats", "P11",
            "stats never calls the host (nor allocates through it), fills only what the caller's struct_size covers, and counts records and bytes in and out since create.",
            CheckScope.Transform, "transform-b"), Stats),
    ];

    private static void Stats(CheckContext c)
    {
        var plugin = c.Plugin;
        if (plugin.Api.StructSize < (uint)sizeof(np_transform_v1_t))
            c.Skip($"the vtable is an ABI 1.0 one (struct_size {plugin.Api.StructSize}): stats is absent");
        if (!plugin.Api.HasStats) c.Skip("stats is NULL (it is optional)");
        HostCallGuard.Drain();

        using var s = c.OpenSession();
        c.Phase("stats on a fresh instance");
        var (status, fresh) = s.Stats();
        if (status != NpAbi.NP_OK) c.Fail($"stats on a fresh instance returned {Status.Name(status)}");
        if (fresh.records_in != 0 || fresh.records_out != 0 || fresh.bytes_in != 0 || fresh.bytes_out != 0)
            c.Problem($"a fresh instance reports records_in={fresh.records_in} records_out={fresh.records_out} bytes_in={fresh.bytes_in} bytes_out={fresh.bytes_out}; all must be 0");

        ulong recordsIn = 0, bytesIn = 0, recordsOut = 0, bytesOut = 0;
        var exact = true;
        foreach (var batch in c.Batches)
        {
            c.Phase("process, then stats");
            var o = s.Process(batch);
            if (!o.Ok) exact = false; // a rejected batch may have been counted in part
            recordsIn += (ulong)batch.Count;
            bytesIn += (ulong)batch.Sum(r => (long)r.Length);
            recordsOut += (ulong)o.OutputCount;
            bytesOut += (ulong)(o.Output?.Sum(r => (long)r.Length) ?? 0);
            var (st, now) = s.Stats();
            if (st != NpAbi.NP_OK) c.Problem($"stats after process returned {Status.Name(st)}");
            else if (exact) ExpectCounters(c, now, recordsIn, bytesIn, recordsOut, bytesOut, "after process");
        }
        var f = s.Flush();
        recordsOut += (ulong)f.OutputCount;
        bytesOut += (ulong)(f.Output?.Sum(r => (long)r.Length) ?? 0);
        c.Phase("stats after flush");
        var (fs, afterFlush) = s.Stats();
        if (fs != NpAbi.NP_OK) c.Problem($"stats after flush returned {Status.Name(fs)}");
        else if (exact && f.Ok) ExpectCounters(c, afterFlush, recordsIn, bytesIn, recordsOut, bytesOut, "after flush (counters run since create, flush does not reset them)");

        // An older caller's struct: header + records_in only, followed by guard bytes.
        c.Phase("stats with struct_size covering records_in only");
        var shortSize = NpAbiLayout.Find("np_transform_stats_t")!.Field("records_out")!.Offset;
        var block = (byte*)NativeMemory.Alloc((nuint)sizeof(np_transform_stats_t) + 64);
        try
        {
            new Span<byte>(block, sizeof(np_transform_stats_t) + 64).Fill(0xA5);
            var shortStats = (np_transform_stats_t*)block;
            shortStats->struct_size = shortSize;
            shortStats->reserved = 0;
            var st = plugin.Api.Stats(s.Instance, shortStats);
            if (st != NpAbi.NP_OK) c.Problem($"stats with struct_size {shortSize} (a caller built against a smaller struct) returned {Status.Name(st)}");
            if (shortStats->struct_size != shortSize) c.Problem($"stats changed the caller's struct_size from {shortSize} to {shortStats->struct_size}");
            var beyond = new ReadOnlySpan<byte>(block + shortSize, sizeof(np_transform_stats_t) + 64 - (int)shortSize);
            if (beyond.IndexOfAnyExcept((byte)0xA5) is var at and >= 0)
                c.Problem($"stats wrote byte {shortSize + at} although the caller's struct_size is {shortSize} (fill only what fits)");
        }
        finally
        {
            NativeMemory.Free(block);
        }

        foreach (var call in HostCallGuard.Drain()) c.Problem($"{call} (a [leaf] function must never call the host)");
        c.Passed($"counters {recordsIn} in / {recordsOut} out, prefix struct respected, no host call");
    }

    private static void ExpectCounters(CheckContext c, np_transform_stats_t got, ulong rin, ulong bin, ulong rout, ulong bout, string when)
    {
        if (got.records_in != rin || got.bytes_in != bin || got.records_out != rout || got.bytes_out != bout)
            c.Problem($"{when}: stats reports in {got.records_in} records/{got.bytes_in} bytes, out {got.records_out}/{got.bytes_out}; " +
                      $"the host counted in {rin}/{bin}, out {rout}/{bout}");
    }
}
