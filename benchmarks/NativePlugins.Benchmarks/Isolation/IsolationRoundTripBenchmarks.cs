using BenchmarkDotNet.Attributes;
using NativePlugins.Benchmarks.Infrastructure;
using NativePlugins.Hosting;

namespace NativePlugins.Benchmarks.Isolation;

/// <summary>
/// The isolation group, per call: the round trip of an empty call through the worker, <c>Process</c> of an empty
/// batch on an isolated instance of the benchmark plugin's count transform (the request, the plugin's call on
/// nothing, the reply: everything a call costs but the records), with the worker on the host's CPU and on a CPU of
/// its own (<see cref="WorkerCpu"/>). Its baseline, measured in the same group run by the C harness
/// (benchmarks/native/harness/isolation.cc), is a bare eventfd, futex and spinning ping-pong between two processes.
/// </summary>
[BenchmarkCategory("isolation")]
public class IsolationRoundTripBenchmarks
{
    [Params(WorkerCpu.SameCpu, WorkerCpu.OwnCpu)]
    public string Worker { get; set; } = WorkerCpu.SameCpu;

    private PluginHost _host = null!;
    private TransformInstance _instance = null!;
    private RecordBuffer _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = IsolatedBench.Host();
        _host.Load(BenchPaths.BenchPlugin);
        _instance = _host.CreateTransform(BenchPlugins.Count);
        if (_instance.Isolation != PluginIsolation.ProcessPerLibrary)
            throw new InvalidOperationException("isolation: the instance is not in a worker process");
        if (Worker == WorkerCpu.OwnCpu) WorkerCpu.MoveWorkers([_instance]);
        _output = new RecordBuffer();
        // The call must really cross: one record in, the same record out.
        using var one = new RecordBuffer();
        one.Append("checked"u8);
        _instance.Process(one, _output);
        if (_output.Count != 1 || !_output[0].SequenceEqual("checked"u8))
            throw new InvalidOperationException("isolation: the isolated count transform did not echo its record");
        _output.Clear();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _instance.Dispose();
        _output.Dispose();
        _host.Dispose();
    }

    [Benchmark]
    public int EmptyCall()
    {
        _instance.Process(RecordBatch.Empty, _output);
        return _output.Count;
    }
}
