using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using NativePlugins.Benchmarks.Abi;
using NativePlugins.Benchmarks.Infrastructure;
using NativePlugins.Benchmarks.PeerContract;
using NativePlugins.Hosting;
using NativePlugins.Interop;

namespace NativePlugins.Benchmarks.Throughput;

/// <summary>
/// One batch through upper | grep pattern=#EVEN | count, per record size and batch size: through the .NET host's
/// <see cref="Pipeline"/> (three np.transform/1 instances of the benchmark plugins, host-owned buffers handed from
/// stage to stage), through <see cref="RawPipeline"/> (the same instances called straight through their vtables: the
/// floor of the .NET side) and through <see cref="ManagedPipeline"/> (the same logic in plain C#). The C host baseline runs
/// the same plugins on the same records (benchmarks/native/harness/pipeline.cc). The report turns time per batch
/// into records per second.
/// </summary>
[BenchmarkCategory("pipeline")]
public unsafe class PipelineBenchmarks
{
    [Params(16, 128, 1024)]
    public int RecordSize { get; set; }

    [Params(64, 1024, 8192)]
    public int BatchSize { get; set; }

    private PluginHost _host = null!;
    private Pipeline _pipeline = null!;
    private RecordBuffer _input = null!;
    private ManagedPipeline _managed = null!;
    private ManagedRecords _managedInput = null!;
    private RawPipeline _raw = null!;
    private np_batch_t* _rawInput;

    [GlobalSetup]
    public void Setup()
    {
        _host = new PluginHost();
        _host.Load(BenchPaths.BenchPlugin);
        _pipeline = _host.CreatePipeline([
            new PipelineStage(BenchPlugins.Upper),
            new PipelineStage(BenchPlugins.Grep, BenchPlugins.GrepConfig),
            new PipelineStage(BenchPlugins.Count),
        ]);
        _input = BenchRecords.CreateBuffer(RecordSize, BatchSize);
        _managed = new ManagedPipeline("#EVEN");
        _managedInput = BenchRecords.CreateManaged(RecordSize, BatchSize);
        _raw = new RawPipeline(BenchPaths.BenchPlugin, [(BenchPlugins.Upper, ""), (BenchPlugins.Grep, BenchPlugins.GrepConfig), (BenchPlugins.Count, "")]);
        var batch = _input.AsBatch();
        _rawInput = (np_batch_t*)NativeMemory.Alloc((nuint)sizeof(np_batch_t));
        fixed (byte* data = batch.Data)
            _rawInput->data = data; // RecordBuffer memory is native and does not move
        _rawInput->offsets = Offsets(_input);
        _rawInput->count = (ulong)batch.Count;
        CheckAllAgree();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pipeline.Dispose();
        _raw.Dispose();
        NativeMemory.Free(_rawInput->offsets);
        NativeMemory.Free(_rawInput);
        _input.Dispose();
        _host.Dispose();
    }

    [Benchmark]
    public int DotNetHost() => _pipeline.Process(_input.AsBatch()).Count;

    [Benchmark]
    public ulong DotNetRaw() => _raw.Process(_rawInput);

    [Benchmark]
    public int ManagedCSharp() => _managed.Process(_managedInput).Count;

    /// <summary>All pipelines must produce the same records, or the comparison means nothing.</summary>
    private void CheckAllAgree()
    {
        var native = _pipeline.Process(_input.AsBatch());
        var managed = _managed.Process(_managedInput);
        var raw = _raw.Process(_rawInput);
        if (native.Count != BatchSize / 2 || managed.Count != native.Count || raw != (ulong)native.Count)
            throw new InvalidOperationException($"pipeline output differs: host {native.Count}, raw {raw}, managed {managed.Count}, expected {BatchSize / 2}");
        for (int i = 0; i < native.Count; i++)
            if (!native[i].SequenceEqual(managed[i]) || !native[i].SequenceEqual(_raw.Output(i)))
                throw new InvalidOperationException($"record {i} differs between the host, raw and managed pipelines");
    }

    /// <summary>The offsets array behind a host buffer (record i starts at offsets[i]), rebuilt in native memory so
    /// the raw pipeline gets exactly the host's input.</summary>
    private static ulong* Offsets(RecordBuffer buffer)
    {
        var batch = buffer.AsBatch();
        var offsets = (ulong*)NativeMemory.Alloc((nuint)((batch.Count + 1) * sizeof(ulong)));
        ulong at = 0;
        offsets[0] = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            at += (ulong)batch[i].Length;
            offsets[i + 1] = at;
        }
        return offsets;
    }
}
