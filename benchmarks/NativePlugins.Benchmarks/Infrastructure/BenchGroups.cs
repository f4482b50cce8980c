using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using NativePlugins.Benchmarks.CallCost;
using NativePlugins.Benchmarks.Isolation;
using NativePlugins.Benchmarks.Loading;
using NativePlugins.Benchmarks.Peers;
using NativePlugins.Benchmarks.Throughput;
using Perfolizer.Horology;

namespace NativePlugins.Benchmarks.Infrastructure;

/// <summary>
/// The BenchmarkDotNet suites, in groups that benchmarks/run.sh runs one at a time, next to the matching group of
/// the C harness (for call, plugin-call and pipeline in alternating rounds, <c>--iterations</c> per round), so that
/// the two sides of every ratio sample the same stretch of time on this noisy machine. Iteration counts are pinned
/// per group (quick: a smoke test; full: the published numbers). Everything runs in-process (no per-benchmark
/// project build): the load and discovery benchmarks prove at setup that libraries really unload between iterations.
/// </summary>
public static class BenchGroups
{
    public static readonly IReadOnlyDictionary<string, Type[]> Classes = new Dictionary<string, Type[]>
    {
        ["call"] = [typeof(TrivialCallBenchmarks), typeof(StatsBenchmarks)],
        ["plugin-call"] = [typeof(PluginCallBenchmarks), typeof(PluginStatsBenchmarks)],
        ["pipeline"] = [typeof(PipelineBenchmarks)],
        ["peers"] = [typeof(PeerBenchmarks)],
        ["isolation"] = [typeof(IsolationRoundTripBenchmarks), typeof(IsolationStartBenchmarks)],
        ["load"] = [typeof(LoadBenchmarks)],
        ["discovery"] = [typeof(DiscoveryBenchmarks)],
    };

    /// <param name="iterations">Measured iterations of the sub-microsecond groups (one round of run.sh); null: 15.</param>
    public static IConfig Config(string group, bool quick, string artifacts, int? iterations = null)
    {
        var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithId(group);
        job = group switch
        {
            // Sub-microsecond calls: many invocations per iteration; many short iterations of fixed time, as the C
            // harness's repetitions (run.sh: the figure is the best sample, and on a shared CPU a short sample is
            // more often undisturbed). The warm-up (200 ms) follows the pilot stage; with run.sh's tiering setting
            // the code is at Tier 1 by then, which the report checks in the JIT summary.
            // isolation: the round trip as the calls; its start and restart benchmarks (one invocation per
            // iteration, since they have an iteration setup) take the same iteration count.
            "call" or "plugin-call" or "pipeline" or "peers" or "isolation" => job
                .WithWarmupCount(quick ? 2 : 10)
                .WithIterationCount(iterations ?? (quick ? 5 : 120))
                .WithIterationTime(TimeInterval.FromMilliseconds(quick ? 10 : 20)),
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
        var config = ManualConfig.CreateMinimumViable();
        // The Wasm peer needs its module, which only a machine with the wasm toolchain builds: without it the
        // benchmark is left out (the report says "not built") instead of failing the group.
        if (group == "peers" && !PeerPaths.WasmModuleBuilt)
            config.AddFilter(new SimpleFilter(b => b.Descriptor.WorkloadMethod.Name != PeerSystems.Wasmtime));
        return config
            .AddJob(job)
            .AddExporter(JsonExporter.Full)
            .WithArtifactsPath(artifacts)
            .WithOptions(ConfigOptions.DisableLogFile);
    }
}
