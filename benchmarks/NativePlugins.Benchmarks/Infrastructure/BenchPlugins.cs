namespace NativePlugins.Benchmarks.Infrastructure;

/// <summary>Plugin ids of the benchmark-only bundle (benchmarks/native/plugins/np_bench_plugin.c).</summary>
public static class BenchPlugins
{
    public const string Trivial = "org.nativeplugins.bench.trivial";
    public const string Upper = "org.nativeplugins.bench.upper";
    public const string Grep = "org.nativeplugins.bench.grep";
    public const string Count = "org.nativeplugins.bench.count";

    /// <summary>The grep stage's config in the throughput pipeline: keeps the records <see cref="Throughput.BenchRecords"/>
    /// marks as even (after the upper stage).</summary>
    public const string GrepConfig = "pattern=#EVEN";
}
