using BenchmarkDotNet.Attributes;
using NativePlugins.Benchmarks.Abi;
using NativePlugins.Benchmarks.Infrastructure;
using NativePlugins.Hosting;
using NativePlugins.Interop;

namespace NativePlugins.Benchmarks.CallCost;

/// <summary>
/// <c>np_transform_v1_t.stats</c>, the ABI's [leaf] function (interop/README.md section 4), 1,024 calls per invoke
/// (8 per loop turn) like the C baseline. Three ways: the host library's <see cref="TransformInstance.TryGetStats"/>
/// (what a .NET user calls), and the bare function pointer with and without <c>SuppressGCTransition</c>.
/// </summary>
[BenchmarkCategory("call")]
public unsafe class StatsBenchmarks
{
    public const int Calls = 1024;

    private PluginHost _host = null!;
    private TransformInstance _instance = null!;
    private RawVTables _raw = null!;
    private np_instance_t* _rawInstance;
    private np_transform_v1_t* _vt;

    [GlobalSetup]
    public void Setup()
    {
        _host = new PluginHost();
        _host.Load(BenchPaths.BenchPlugin);
        _instance = _host.CreateTransform(BenchPlugins.Count);
        if (!_instance.SupportsStats) throw new InvalidOperationException("the bench plugin must offer stats");
        _raw = new RawVTables(BenchPaths.BenchPlugin);
        _rawInstance = _raw.CreateTransform(BenchPlugins.Count, "", out _vt);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _vt->destroy(_rawInstance);
        _raw.Dispose();
        _instance.Dispose();
        _host.Dispose();
    }

    /// <summary>The host API: lifetime reference, per-instance lock (rule H4), then the [leaf] call.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public ulong StatsHostApi()
    {
        var inst = _instance;
        ulong sum = 0;
        for (int i = 0; i < Calls / 8; i++)
        {
            inst.TryGetStats(out var s); sum += s.RecordsIn;
            inst.TryGetStats(out s); sum += s.RecordsIn;
            inst.TryGetStats(out s); sum += s.RecordsIn;
            inst.TryGetStats(out s); sum += s.RecordsIn;
            inst.TryGetStats(out s); sum += s.RecordsIn;
            inst.TryGetStats(out s); sum += s.RecordsIn;
            inst.TryGetStats(out s); sum += s.RecordsIn;
            inst.TryGetStats(out s); sum += s.RecordsIn;
        }
        return sum;
    }

    /// <summary>The bare pointer bound as [leaf]: <c>delegate* unmanaged[Cdecl, SuppressGCTransition]</c>.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public ulong StatsSuppressGCTransition()
    {
        var f = (delegate* unmanaged[Cdecl, SuppressGCTransition]<np_instance_t*, np_transform_stats_t*, int>)_vt->stats;
        return Loop(f, _rawInstance);
    }

    /// <summary>
    /// The bare [leaf] pointer, but with the stats struct zeroed right before every call, as
    /// <see cref="TransformInstance.TryGetStats"/> does: the JIT zeroes a 40-byte struct with a 256-bit store and
    /// emits no <c>vzeroupper</c> before a function-pointer call, so SSE code in the plugin starts with the upper
    /// YMM state dirty (an AVX-to-SSE transition). Isolates that cost from the host's locking.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public ulong StatsZeroedStructPerCall()
    {
        var f = (delegate* unmanaged[Cdecl, SuppressGCTransition]<np_instance_t*, np_transform_stats_t*, int>)_vt->stats;
        var inst = _rawInstance;
        ulong sum = 0;
        for (int i = 0; i < Calls; i++)
        {
            np_transform_stats_t s = default;
            s.struct_size = (uint)sizeof(np_transform_stats_t);
            sum += (ulong)f(inst, &s) + s.records_in;
        }
        return sum;
    }

    /// <summary>The bare pointer with the normal GC transition.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public ulong StatsCdecl() => Loop(_vt->stats, _rawInstance);

    private static ulong Loop(delegate* unmanaged[Cdecl, SuppressGCTransition]<np_instance_t*, np_transform_stats_t*, int> f,
        np_instance_t* inst)
    {
        np_transform_stats_t s = default;
        s.struct_size = (uint)sizeof(np_transform_stats_t);
        ulong sum = 0;
        for (int i = 0; i < Calls / 8; i++)
        {
            sum += (ulong)f(inst, &s); sum += (ulong)f(inst, &s); sum += (ulong)f(inst, &s); sum += (ulong)f(inst, &s);
            sum += (ulong)f(inst, &s); sum += (ulong)f(inst, &s); sum += (ulong)f(inst, &s); sum += (ulong)f(inst, &s);
        }
        return sum + s.records_in;
    }

    private static ulong Loop(delegate* unmanaged[Cdecl]<np_instance_t*, np_transform_stats_t*, int> f, np_instance_t* inst)
    {
        np_transform_stats_t s = default;
        s.struct_size = (uint)sizeof(np_transform_stats_t);
        ulong sum = 0;
        for (int i = 0; i < Calls / 8; i++)
        {
            sum += (ulong)f(inst, &s); sum += (ulong)f(inst, &s); sum += (ulong)f(inst, &s); sum += (ulong)f(inst, &s);
            sum += (ulong)f(inst, &s); sum += (ulong)f(inst, &s); sum += (ulong)f(inst, &s); sum += (ulong)f(inst, &s);
        }
        return sum + s.records_in;
    }
}
