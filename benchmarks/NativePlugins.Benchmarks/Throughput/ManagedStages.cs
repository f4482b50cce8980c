using System.Text;
using NativePlugins.Benchmarks.PeerContract;

namespace NativePlugins.Benchmarks.Throughput;

/// <summary>
/// The three stages of the throughput pipeline in plain C#: the same logic as the benchmark plugins
/// (benchmarks/native/plugins/np_bench_plugin.c: upper, grep pattern=#EVEN, count), each writing into its own reusable
/// output, the way a good .NET developer would write them (the BCL's vectorized Ascii.ToUpper and IndexOf). One
/// source for two peers: <see cref="ManagedPipeline"/> calls it directly, and the managed plugin
/// (benchmarks/peers/managed-plugin) compiles this same file, so the two differ only by the plugin system between
/// host and code.
/// </summary>
internal static class ManagedStages
{
    /// <summary>ASCII upper case; bytes outside 'a'..'z' are copied unchanged (as the C stage does).</summary>
    public static void Upper(ManagedRecords input, ManagedRecords output)
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

    /// <summary>Keeps the records that contain <paramref name="pattern"/>.</summary>
    public static void Grep(ManagedRecords input, ManagedRecords output, byte[] pattern)
    {
        output.Clear();
        for (int i = 0; i < input.Count; i++)
        {
            var record = input[i];
            if (record.IndexOf(pattern) >= 0) record.CopyTo(output.AppendSlot(record.Length));
        }
    }

    /// <summary>Passes every record through, adding to the counters.</summary>
    public static void Count(ManagedRecords input, ManagedRecords output, ref ulong records, ref ulong bytes)
    {
        output.Clear();
        for (int i = 0; i < input.Count; i++)
        {
            var record = input[i];
            record.CopyTo(output.AppendSlot(record.Length));
            bytes += (ulong)record.Length;
        }
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
