using BenchmarkDotNet.Attributes;
using NativePlugins.Benchmarks.Infrastructure;
using NativePlugins.Benchmarks.Isolation;
using NativePlugins.Benchmarks.PeerContract;
using NativePlugins.Benchmarks.Throughput;
using NativePlugins.Hosting;

namespace NativePlugins.Benchmarks.Peers;

/// <summary>
/// The peers group: the pipeline group's upper | grep pattern=#EVEN | count at the same 9 shapes, through the systems a
/// .NET user could pick instead of NativePlugins (<see cref="PeerSystems"/>), all in one BenchmarkDotNet run. Each
/// system holds its input the way it would in an application (NativePlugins: a host <see cref="RecordBuffer"/>; the
/// managed peers: <see cref="ManagedRecords"/>; Wasm: <see cref="WasmRecords"/> in host memory, copied into linear
/// memory per batch), built from the same <see cref="BenchRecords"/>. The setup checks that every system emits the
/// same records as NativePlugins and throws otherwise.
/// </summary>
[BenchmarkCategory("peers")]
public class PeerBenchmarks
{
    [Params(16, 128, 1024)]
    public int RecordSize { get; set; }

    [Params(64, 1024, 8192)]
    public int BatchSize { get; set; }

    private PluginHost _host = null!, _isolatedHost = null!, _ownCpuHost = null!, _copiedHost = null!;
    private Pipeline _native = null!, _isolated = null!, _isolatedOwnCpu = null!, _isolatedCopied = null!;
    private RecordBuffer _nativeInput = null!, _sharedInput = null!;
    private ManagedPluginPipeline _mcMaster = null!;
    private WasmPipeline? _wasm;
    private WasmRecords _wasmInput = null!;
    private ManagedPipeline _managed = null!;
    private ManagedRecords _managedInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = new PluginHost();
        _host.Load(BenchPaths.BenchPlugin);
        _native = _host.CreatePipeline(PeerSystems.Stages.Select(s => new PipelineStage(s.PluginId, s.Config)).ToList());
        _nativeInput = BenchRecords.CreateBuffer(RecordSize, BatchSize);
        // The isolated pipelines' input in shared memory (RecordBuffer.CreateShared), the way an application that
        // isolates its plugins holds it: the worker reads it in place and writes the pipeline's (shared) output in
        // place, so no record is copied between the processes.
        _sharedInput = BenchRecords.CreateBuffer(RecordSize, BatchSize, shared: true);

        // The same library and pipeline in a worker process (nplug-worker, PluginHostOptions.Isolation): the three
        // stages share the library's worker, so each batch is one chain request (no copy: shared buffers). Once
        // with the worker on the pinned host's CPU (inherited), once on a CPU of its own.
        (_isolatedHost, _isolated) = IsolatedPipeline();
        (_ownCpuHost, _isolatedOwnCpu) = IsolatedPipeline();
        WorkerCpu.MoveWorkers(_isolatedOwnCpu.Stages);
        // And restricted, on its own CPU: no shared buffers, so the batch is copied in and the output out.
        (_copiedHost, _isolatedCopied) = IsolatedPipeline(restricted: true);
        WorkerCpu.MoveWorkers(_isolatedCopied.Stages);

        _mcMaster = new ManagedPluginPipeline(PeerPaths.ManagedPlugin);
        if (!_mcMaster.IsIsolated) throw new InvalidOperationException($"{PeerPaths.ManagedPlugin}: the plugin was not loaded into a collectible context of its own");
        _mcMaster.Create(PeerSystems.Stages);
        _managedInput = BenchRecords.CreateManaged(RecordSize, BatchSize);

        // Without the wasm toolchain the module is not built: BenchGroups leaves the Wasm benchmark out, the report
        // says "not built".
        if (PeerPaths.WasmModuleBuilt)
        {
            _wasm = new WasmPipeline(PeerPaths.WasmModule);
            _wasm.Create(PeerSystems.Stages);
        }
        _wasmInput = WasmRecords.Create(RecordSize, BatchSize);

        _managed = new ManagedPipeline("#EVEN");
        CheckAllAgree();
    }

    private static (PluginHost, Pipeline) IsolatedPipeline(bool restricted = false)
    {
        var host = IsolatedBench.Host(restricted: restricted);
        host.Load(BenchPaths.BenchPlugin);
        return (host, host.CreatePipeline(PeerSystems.Stages.Select(s => new PipelineStage(s.PluginId, s.Config)).ToList()));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _native.Dispose();
        _isolated.Dispose();
        _isolatedOwnCpu.Dispose();
        _isolatedCopied.Dispose();
        _ownCpuHost.Dispose();
        _nativeInput.Dispose();
        _sharedInput.Dispose();
        _host.Dispose();
        _isolatedHost.Dispose();
        _copiedHost.Dispose();
        _mcMaster.Dispose();
        _wasm?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int NativePluginsInProcess() => _native.Process(_nativeInput.AsBatch()).Count;

    [Benchmark]
    public int NativePluginsIsolated() => _isolated.Process(_sharedInput.AsBatch()).Count;

    [Benchmark]
    public int NativePluginsIsolatedOwnCpu() => _isolatedOwnCpu.Process(_sharedInput.AsBatch()).Count;

    [Benchmark]
    public int NativePluginsIsolatedCopied() => _isolatedCopied.Process(_sharedInput.AsBatch()).Count;

    [Benchmark]
    public int McMasterPlugins() => _mcMaster.Process(_managedInput).Count;

    [Benchmark]
    public int WasmtimePlugins() => _wasm!.Process(_wasmInput).Count;

    [Benchmark]
    public int ManagedCSharp() => _managed.Process(_managedInput).Count;

    /// <summary>Every peer must emit exactly NativePlugins' records, or the comparison means nothing.</summary>
    private void CheckAllAgree()
    {
        var expected = _native.Process(_nativeInput.AsBatch()).ToArrayList();
        if (expected.Count != BatchSize / 2)
            throw new InvalidOperationException($"peers: NativePlugins emitted {expected.Count} records, expected {BatchSize / 2}");
        PeerOutputs.Check(PeerSystems.NativeIsolated, expected, _isolated.Process(_sharedInput.AsBatch()).ToArrayList());
        PeerOutputs.Check(PeerSystems.NativeIsolatedOwnCpu, expected, _isolatedOwnCpu.Process(_sharedInput.AsBatch()).ToArrayList());
        PeerOutputs.Check(PeerSystems.NativeIsolatedCopied, expected, _isolatedCopied.Process(_sharedInput.AsBatch()).ToArrayList());
        PeerOutputs.Check(PeerSystems.McMaster, expected, Enumerate(_mcMaster.Process(_managedInput)));
        PeerOutputs.Check(PeerSystems.Managed, expected, Enumerate(_managed.Process(_managedInput)));
        if (_wasm is not null) PeerOutputs.Check(PeerSystems.Wasmtime, expected, Enumerate(_wasm.Process(_wasmInput)));
    }

    private static List<byte[]> Enumerate(ManagedRecords r) => Enumerable.Range(0, r.Count).Select(i => r[i].ToArray()).ToList();
    private static List<byte[]> Enumerate(WasmRecords r) => Enumerable.Range(0, r.Count).Select(i => r[i].ToArray()).ToList();
}
