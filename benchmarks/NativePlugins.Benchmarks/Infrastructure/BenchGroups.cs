using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using NativePlugins.Benchmarks.CallCost;
using NativePlugins.Benchmarks.Loading;
using NativePlugins.Benchmarks.Throughput;
using Perfolizer.Horology;

namespace NativePlugins.Benchmarks.Infrastructure;

/// <summary>
/// The BenchmarkDotNet suites, in groups that benchmarks/run.sh runs one at a time, each right after the matching
/// group of the C harness, so that the two sides of every ratio are measured minutes apart at most on this noisy
/// machine. Iteration counts are pinned per group (quick: a smoke test; full: the published numbers). Everything
/// runs in-process (no per-benchmark project build): the load and discovery benchmarks prove at setup that
/// libraries really unload between iterations.
/// </summary>
public static class BenchGroups
{
    public static readonly IReadOnlyDictionary<string, Type[]> Classes = new Dictionary<string, Type[]>
    {
        ["call"] = [typeof(TrivialCallBenchmarks), typeof(StatsBenchmarks)],
        ["plugin-call"] = [typeof(PluginCallBenchmarks), typeof(PluginStatsBenchmarks)],
        ["pipeline"] = [typeof(PipelineBenchmarks)],
        ["load"] = [typeof(LoadBenchmarks)],
        ["discovery"] = [typeof(DiscoveryBenchmarks)],
    };

    public static IConfig Config(string group, bool quick, string artifacts)
    {
        var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithId(group);
        job = group switch
        {
            // Sub-microsecond calls: many invocations per iteration, fixed iteration time.
            "call" or "plugin-call" or "pipeline" => job
                .WithWarmupCount(quick ? 1 : 3)
                .WithIterationCount(quick ? 3 : 15)
                .WithIterationTime(TimeInterval.FromMilliseconds(quick ? 50 : 200)),
            // One load per iteration (the unload is in the iteration cleanup, outside the clock). No forced full GC
            // between iterations: the C side has none either, and it would evict the caches right before each load.
            "load" => job.WithInvocationCount(1).WithUnrollFactor(1).WithGcForce(false)
                .WithWarmupCount(quick ? 2 : 5)
                .WithIterationCount(quick ? 7 : 41),
            "discovery" => job.WithInvocationCount(1).WithUnrollFactor(1).WithGcForce(false)
                .WithWarmupCount(quick ? 1 : 2)
                .WithIterationCount(quick ? 3 : 10),
            _ => throw new ArgumentException($"unknown group '{group}' ({string.Join(", ", Classes.Keys)})"),
        };
        return ManualConfig.CreateMinimumViable()
            .AddJob(job)
            .AddExporter(JsonExporter.Full)
            .WithArtifactsPath(artifacts)
            .WithOptions(ConfigOptions.DisableLogFile);
    }
}
