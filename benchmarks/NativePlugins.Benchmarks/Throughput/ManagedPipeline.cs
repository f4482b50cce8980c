using NativePlugins.Benchmarks.PeerContract;

namespace NativePlugins.Benchmarks.Throughput;

/// <summary>
/// The throughput pipeline written as plain C#, no plugin system at all: <see cref="ManagedStages"/> upper, grep,
/// count called one after the other, each writing into its own reusable output. It answers "how much does going
/// through native plugins cost a .NET user".
/// </summary>
public sealed class ManagedPipeline
{
    private readonly byte[] _pattern;
    private readonly ManagedRecords _upper = new(), _grep = new(), _count = new();

    public ManagedPipeline(string pattern) => _pattern = ManagedStages.ParseGrepPattern("pattern=" + pattern);

    /// <summary>Records and bytes the count stage has seen (its stats).</summary>
    public ulong CountedRecords, CountedBytes;

    public ManagedRecords Process(ManagedRecords input)
    {
        ManagedStages.Upper(input, _upper);
        ManagedStages.Grep(_upper, _grep, _pattern);
        ManagedStages.Count(_grep, _count, ref CountedRecords, ref CountedBytes);
        return _count;
    }
}
