using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using NativePlugins.Benchmarks.Infrastructure;
using NativePlugins.Hosting;

namespace NativePlugins.Benchmarks.Isolation;

/// <summary>
/// The isolation group, per worker: <b>worker start to first result</b> (in a fresh host: <c>Load</c> of the
/// benchmark plugin with ProcessPerLibrary, which starts nplug-worker and loads the library in it, create, one
/// one-record batch back) and <b>the cost of a restart</b> (after a crash outside the clock: the next call, which
/// starts a new worker, loads the library, recreates the instance and runs the batch). One invocation per
/// iteration (BenchmarkDotNet's rule for a benchmark with an iteration setup); the host's own setup and the crash
/// are outside the clock (iteration setup and cleanup).
/// </summary>
[BenchmarkCategory("isolation")]
public class IsolationStartBenchmarks
{
    private PluginHost? _fresh;
    private PluginHost _crashing = null!;
    private TransformInstance _segv = null!;
    private RecordBuffer _one = null!, _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        _one = new RecordBuffer();
        _one.Append("x"u8);
        _output = new RecordBuffer();
        _crashing = IsolatedBench.Host(new RestartPolicy { InitialBackoff = TimeSpan.Zero, MaxConsecutiveRestarts = int.MaxValue });
        _crashing.Load(IsolatedBench.SegvFixture);
        _segv = _crashing.CreateTransform(IsolatedBench.SegvPlugin);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _segv.Dispose();
        _crashing.Dispose();
        _one.Dispose();
        _output.Dispose();
    }

    [IterationSetup(Target = nameof(WorkerStartToFirstResult))]
    public void FreshHost() => _fresh = IsolatedBench.Host();

    [IterationCleanup(Target = nameof(WorkerStartToFirstResult))]
    public void EndFreshHost()
    {
        _fresh?.Dispose();
        _fresh = null;
        _output.Clear();
    }

    // Run once per iteration, so never often enough for tiering: optimized at once (the report checks that every
    // measured method ran optimized code; the figure is a process start either way).
    [Benchmark]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int WorkerStartToFirstResult()
    {
        _fresh!.Load(BenchPaths.BenchPlugin);
        using var instance = _fresh.CreateTransform(BenchPlugins.Count);
        instance.Process(_one, _output);
        return IsolatedBench.Checked(_output);
    }

    [IterationSetup(Target = nameof(RestartAfterCrash))]
    public void Crash()
    {
        using var segv = new RecordBuffer();
        segv.Append("segv"u8);
        try
        {
            _segv.Process(segv, _output);
            throw new InvalidOperationException("isolation: the segv fixture did not crash its worker");
        }
        catch (PluginCrashedException)
        {
            // the worker is dead; the next call restarts it
        }
    }

    [IterationCleanup(Target = nameof(RestartAfterCrash))]
    public void AfterRestart() => _output.Clear();

    [Benchmark]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int RestartAfterCrash()
    {
        _segv.Process(_one, _output);
        return IsolatedBench.Checked(_output);
    }
}
