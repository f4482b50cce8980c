using BenchmarkDotNet.Attributes;
using NativePlugins.Benchmarks.Abi;
using NativePlugins.Benchmarks.Infrastructure;
using NativePlugins.Hosting;

namespace NativePlugins.Benchmarks.CallCost;

/// <summary>
/// The cheapest call through a plugin vtable: <c>np.bench/1</c> <c>increment</c>, 1,024 dependent calls per invoke
/// (8 per loop turn, the function pointer held in a local), exactly as the C baseline
/// (benchmarks/native/harness/calls.cc) does it. Reported per call.
/// </summary>
[BenchmarkCategory("call")]
public unsafe class TrivialCallBenchmarks
{
    public const int Calls = 1024;

    private PluginHost _host = null!;
    private RawVTables _raw = null!;
    private NpBenchV1* _vt;

    [GlobalSetup]
    public void Setup()
    {
        _host = new PluginHost();
        _host.Load(BenchPaths.BenchPlugin); // validated by the host (rule H3) before anything is called
        _raw = new RawVTables(BenchPaths.BenchPlugin);
        _vt = (NpBenchV1*)_raw.Find(BenchPlugins.Trivial, NpBenchV1.Id);
        if (_vt->struct_size < sizeof(NpBenchV1)) throw new InvalidOperationException("np_bench_v1_t is older than this mirror");
        if (Increment() != Calls || IncrementSuppressGCTransition() != Calls) throw new InvalidOperationException("increment is broken");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _host.Dispose();
    }

    /// <summary><c>delegate* unmanaged[Cdecl]</c>: the call the .NET host makes for every non-leaf function.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public ulong Increment()
    {
        var f = _vt->increment;
        ulong x = 0;
        for (int i = 0; i < Calls / 8; i++)
        {
            x = f(x); x = f(x); x = f(x); x = f(x);
            x = f(x); x = f(x); x = f(x); x = f(x);
        }
        return x;
    }

    /// <summary>The same function bound as a [leaf] (<c>SuppressGCTransition</c>): no GC-mode switch around the call.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public ulong IncrementSuppressGCTransition()
    {
        var f = (delegate* unmanaged[Cdecl, SuppressGCTransition]<ulong, ulong>)_vt->increment;
        ulong x = 0;
        for (int i = 0; i < Calls / 8; i++)
        {
            x = f(x); x = f(x); x = f(x); x = f(x);
            x = f(x); x = f(x); x = f(x); x = f(x);
        }
        return x;
    }
}
