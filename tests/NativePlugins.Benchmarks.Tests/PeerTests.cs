using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using NativePlugins.Benchmarks.Infrastructure;
using NativePlugins.Benchmarks.Peers;
using NativePlugins.Benchmarks.Throughput;
using Xunit;

namespace NativePlugins.Benchmarks.Tests;

/// <summary>The peers group computes what NativePlugins computes, and its plumbing fails loudly.</summary>
public sealed class PeerTests
{
    [Theory]
    [InlineData(16, 64)]
    [InlineData(128, 1024)]
    [InlineData(1024, 8192)]
    public void EveryPeerEmitsNativePluginsRecords(int recordSize, int batchSize)
    {
        Assert.True(PeerPaths.WasmModuleBuilt, $"{PeerPaths.WasmModule} is missing: build the native side (target np_bench_wasm_peer)");
        var bench = new PeerBenchmarks { RecordSize = recordSize, BatchSize = batchSize };
        bench.Setup(); // throws when a peer's records differ from NativePlugins'
        try
        {
            Assert.Equal(batchSize / 2, bench.NativePluginsInProcess());
            Assert.Equal(batchSize / 2, bench.NativePluginsIsolated());
            Assert.Equal(batchSize / 2, bench.NativePluginsIsolatedOwnCpu());
            Assert.Equal(batchSize / 2, bench.NativePluginsIsolatedCopied());
            Assert.Equal(batchSize / 2, bench.McMasterPlugins());
            Assert.Equal(batchSize / 2, bench.WasmtimePlugins());
            Assert.Equal(batchSize / 2, bench.ManagedCSharp());
        }
        finally
        {
            bench.Cleanup();
        }
    }

    [Fact]
    public void TheCorrectnessCheckNamesThePeerAndTheRecordThatDiffer()
    {
        byte[][] expected = ["AAAA#EVEN"u8.ToArray(), "CCCC#EVEN"u8.ToArray()];
        PeerOutputs.Check("same", expected, [.. expected.Select(r => r.ToArray())]);
        var changed = Assert.Throws<InvalidOperationException>(() =>
            PeerOutputs.Check("wasm", expected, ["AAAA#EVEN"u8.ToArray(), "cccc#EVEN"u8.ToArray()]));
        Assert.Contains("wasm record 1 differs", changed.Message);
        var missing = Assert.Throws<InvalidOperationException>(() => PeerOutputs.Check("mc", expected, [expected[0]]));
        Assert.Contains("mc emitted 1 records, NativePlugins 2", missing.Message);
    }

    [Fact]
    public void TheManagedPluginLivesInACollectibleContextAndUnloads()
    {
        var context = LoadRunAndDispose();
        for (int i = 0; i < 20 && context.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(context.IsAlive, "the plugin's AssemblyLoadContext was not collected after Dispose");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference LoadRunAndDispose()
    {
        using var pipeline = new ManagedPluginPipeline(PeerPaths.ManagedPlugin);
        Assert.True(pipeline.IsIsolated);
        pipeline.Create(PeerSystems.Stages);
        Assert.Equal(32, pipeline.Process(BenchRecords.CreateManaged(16, 64)).Count);
        var plugin = typeof(ManagedPluginPipeline).GetField("_plugin", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(pipeline)!;
        return new WeakReference(AssemblyLoadContext.GetLoadContext(plugin.GetType().Assembly));
    }

    [Fact]
    public void AWasmStageReportsThePluginsOwnError()
    {
        using var pipeline = new WasmPipeline(PeerPaths.WasmModule);
        var error = Assert.Throws<InvalidOperationException>(() => pipeline.Create([(BenchPlugins.Grep, "")]));
        Assert.Contains($"{BenchPlugins.Grep}: stage_create failed with status -2: create: grep needs 'pattern=...'", error.Message);
    }

    [Fact]
    public void AManagedPluginStageRefusesAnUnknownStage()
    {
        using var pipeline = new ManagedPluginPipeline(PeerPaths.ManagedPlugin);
        var error = Assert.Throws<ArgumentException>(() => pipeline.Create([("org.example.nope", "")]));
        Assert.Contains("unknown stage 'org.example.nope'", error.Message);
    }
}
