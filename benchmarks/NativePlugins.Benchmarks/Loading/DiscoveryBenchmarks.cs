using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using NativePlugins.Benchmarks.Infrastructure;
using NativePlugins.Hosting;

namespace NativePlugins.Benchmarks.Loading;

/// <summary>
/// Discovery of a folder of 10, 100 or 1,000 distinct plugin libraries (the discovery set built by
/// benchmarks/native/make-discovery-set.sh; each library has its own plugin id): the .NET host's
/// <see cref="PluginHost.LoadDirectories"/> (list, load, negotiate, validate, init, check ids are unique) against
/// listing the folder and <see cref="NativeLibrary.Load(string)"/> on each file. Unloading is outside the clock.
/// The C harness times the same folders (discovery/*).
/// </summary>
[BenchmarkCategory("discovery")]
public class DiscoveryBenchmarks
{
    [Params(10, 100, 1000)]
    public int Libraries { get; set; }

    private string _dir = null!;
    private PluginHost? _host;
    private readonly List<nint> _handles = [];

    [GlobalSetup]
    public void Setup()
    {
        _dir = BenchPaths.DiscoverySet(Libraries);
        if (!Directory.Exists(_dir))
            throw new DirectoryNotFoundException($"{_dir}: build the discovery set first (cmake --build <build> --target np_bench_discovery_set)");
        WarmUpToTier1();
    }

    /// <summary>A discovery is one call per iteration: too few for tiered compilation to promote the benchmark methods
    /// (30 calls, then a quiet 100 ms) within the measured iterations. Running both a few dozen times first, with
    /// pauses for the background compiler, makes the iterations time Tier-1 code, as for the load benchmarks.</summary>
    private void WarmUpToTier1()
    {
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 12; i++)
            {
                CreateHost();
                DotNetHost();
                DisposeHost();
                BareNativeLibraryLoad();
                FreeAll();
            }
            Thread.Sleep(250);
        }
    }

    [IterationSetup(Target = nameof(DotNetHost))]
    public void CreateHost() => _host = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false });

    [Benchmark]
    public int DotNetHost()
    {
        var result = _host!.LoadDirectories([_dir]);
        if (result.Libraries.Count != Libraries)
            throw new InvalidOperationException($"loaded {result.Libraries.Count} of {Libraries}: {string.Join("; ", result.Errors.Select(e => e.Message))}");
        return result.Libraries.Count;
    }

    [IterationCleanup(Target = nameof(DotNetHost))]
    public void DisposeHost() => _host!.Dispose();

    [Benchmark]
    public int BareNativeLibraryLoad()
    {
        foreach (var file in Directory.EnumerateFiles(_dir, "*.so"))
            _handles.Add(NativeLibrary.Load(file));
        return _handles.Count;
    }

    [IterationCleanup(Target = nameof(BareNativeLibraryLoad))]
    public void FreeAll()
    {
        foreach (var h in _handles) NativeLibrary.Free(h);
        _handles.Clear();
    }
}
