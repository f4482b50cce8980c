using System.Diagnostics;
using System.Text.Json;
using NativePlugins.Benchmarks.Infrastructure;
using NativePlugins.Benchmarks.Probes;
using NativePlugins.Benchmarks.Throughput;
using NativePlugins.Hosting;

namespace NativePlugins.Benchmarks.Peers;

/// <summary>
/// One fresh child process of the peers' probes (<c>peer-probe cold|rss &lt;system&gt;</c>, <see cref="PeerProbes"/>):
/// load, create and first batch of one system, at 128-byte records x 1,024. Unlike the plugin probes
/// (<see cref="ProbeChild"/>), nothing is warmed first: the figure is what a user of that system pays from a fresh
/// process to the first result, the system's own first-use work (its host library's JIT, Wasmtime's native library
/// and Cranelift compile, McMaster's dependency resolution) included. The input records are built before the clock
/// starts. Prints one JSON object.
/// </summary>
public static class PeerProbeChild
{
    public const int RecordSize = 128, BatchSize = 1024;

    public static int Run(string kind, string system)
    {
        object result = kind switch
        {
            "cold" => Cold(system),
            "rss" => Rss(system),
            _ => throw new ArgumentException($"unknown peer probe '{kind}' (cold, rss)"),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    private static ColdStartSample Cold(string system)
    {
        using var run = Start(system);
        long t0 = Stopwatch.GetTimestamp();
        run.Load();
        long t1 = Stopwatch.GetTimestamp();
        run.Create();
        long t2 = Stopwatch.GetTimestamp();
        int first = run.Process();
        long t3 = Stopwatch.GetTimestamp();
        int second = run.Process();
        long t4 = Stopwatch.GetTimestamp();
        if (first != BatchSize / 2 || second != first) throw new InvalidOperationException($"peer probe {system}: {first} and {second} records, expected {BatchSize / 2}");
        return new ColdStartSample(Ms(t0, t1), Ms(t1, t2), Ms(t2, t3), Ms(t0, t3), Ms(t3, t4));
    }

    /// <summary>VmRSS added by the load, and by load + create + one batch, each read after a full GC.</summary>
    private static RssSample Rss(string system)
    {
        using var run = Start(system);
        long before = SettledRssKiB();
        run.Load();
        long loaded = SettledRssKiB();
        run.Create();
        run.Process();
        long running = SettledRssKiB();
        return new RssSample(loaded - before, running - before);
    }

    private static SystemRun Start(string system) => system switch
    {
        PeerSystems.NativeInProcess => new NativeRun(),
        PeerSystems.McMaster => new McMasterRun(),
        PeerSystems.Wasmtime => new WasmRun(),
        PeerSystems.Managed => new ManagedRun(),
        _ => throw new ArgumentException($"unknown peer system '{system}' ({string.Join(", ", PeerSystems.Probed)})"),
    };

    /// <summary>One system's three phases; the input is built by the constructor, outside the clock.</summary>
    private abstract class SystemRun : IDisposable
    {
        public abstract void Load();
        public abstract void Create();
        public abstract int Process();
        public virtual void Dispose() { }
    }

    private sealed class NativeRun : SystemRun
    {
        private readonly RecordBuffer _input = BenchRecords.CreateBuffer(RecordSize, BatchSize);
        private PluginHost? _host;
        private Pipeline? _pipeline;

        public override void Load()
        {
            _host = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false });
            _host.Load(BenchPaths.BenchPlugin);
        }

        public override void Create() =>
            _pipeline = _host!.CreatePipeline(PeerSystems.Stages.Select(s => new PipelineStage(s.PluginId, s.Config)).ToList());

        public override int Process() => _pipeline!.Process(_input.AsBatch()).Count;

        public override void Dispose()
        {
            _pipeline?.Dispose();
            _host?.Dispose();
            _input.Dispose();
        }
    }

    private sealed class McMasterRun : SystemRun
    {
        private readonly PeerContract.ManagedRecords _input = BenchRecords.CreateManaged(RecordSize, BatchSize);
        private ManagedPluginPipeline? _pipeline;
        public override void Load() => _pipeline = new ManagedPluginPipeline(PeerPaths.ManagedPlugin);
        public override void Create() => _pipeline!.Create(PeerSystems.Stages);
        public override int Process() => _pipeline!.Process(_input).Count;
        public override void Dispose() => _pipeline?.Dispose();
    }

    private sealed class WasmRun : SystemRun
    {
        private readonly WasmRecords _input = WasmRecords.Create(RecordSize, BatchSize);
        private WasmPipeline? _pipeline;
        public override void Load() => _pipeline = new WasmPipeline(PeerPaths.WasmModule);
        public override void Create() => _pipeline!.Create(PeerSystems.Stages);
        public override int Process() => _pipeline!.Process(_input).Count;
        public override void Dispose() => _pipeline?.Dispose();
    }

    /// <summary>Plain C#: nothing to load; create is constructing the pipeline object.</summary>
    private sealed class ManagedRun : SystemRun
    {
        private readonly PeerContract.ManagedRecords _input = BenchRecords.CreateManaged(RecordSize, BatchSize);
        private ManagedPipeline? _pipeline;
        public override void Load() { }
        public override void Create() => _pipeline = new ManagedPipeline("#EVEN");
        public override int Process() => _pipeline!.Process(_input).Count;
    }

    private static long SettledRssKiB()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]);
        throw new InvalidOperationException("no VmRSS in /proc/self/status");
    }

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
