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
/// The C harness times the same folders (discovery/*). Discovery without loading (<see cref="PluginHost.Discover(IEnumerable{string})"/>)
/// is timed twice: from a warm registry cache (<see cref="DiscoverWarmCache"/>: one statx per file, no scanner) and
/// cold (<see cref="DiscoverColdScan"/>: no cache, every library scanned by nplug-scan in a child process). The cache's
/// behaviour when files change under it is timed on a copy of the folder: ten files touched (a new mtime:
/// <see cref="DiscoverAfterTouchingTen"/>) or one replaced by rename (a new inode: <see cref="DiscoverAfterReplacingOne"/>),
/// each discovery scanning exactly those files out of process and answering the rest from the cache.
/// </summary>
[BenchmarkCategory("discovery")]
public class DiscoveryBenchmarks
{
    [Params(10, 100, 1000)]
    public int Libraries { get; set; }

    private string _dir = null!;
    private PluginHost? _host;
    private readonly string _cacheDir = Path.Combine(Path.GetTempPath(), $"nplug-bench-discovery-{Environment.ProcessId}");
    private PluginHost _warmHost = null!, _coldHost = null!, _churnHost = null!;
    private string _churnDir = null!;
    private string[] _churnFiles = null!;
    private int _churnRound;
    private readonly List<nint> _handles = [];

    [GlobalSetup]
    public void Setup()
    {
        _dir = BenchPaths.DiscoverySet(Libraries);
        if (!Directory.Exists(_dir))
            throw new DirectoryNotFoundException($"{_dir}: build the discovery set first (cmake --build <build> --target np_bench_discovery_set)");
        var scanner = BenchPaths.InBuild("bin/nplug-scan");
        _warmHost = new PluginHost(new PluginHostOptions
        {
            UseEnvironmentSearchPath = false,
            Discovery = new DiscoveryOptions { ScannerPath = scanner, CachePath = Path.Combine(_cacheDir, $"registry-{Libraries}.json") },
        });
        _coldHost = new PluginHost(new PluginHostOptions
        {
            UseEnvironmentSearchPath = false,
            Discovery = new DiscoveryOptions { ScannerPath = scanner, UseCache = false },
        });
        var filled = _warmHost.Discover([_dir]); // fills the cache: every later warm discovery is all hits
        if (filled.Libraries.Count != Libraries)
            throw new InvalidOperationException($"discovered {filled.Libraries.Count} of {Libraries}: {string.Join("; ", filled.Errors.Select(e => e.Message))}");
        // The files changed under the cache are a copy's: the discovery set in the build stays as built.
        _churnDir = Path.Combine(_cacheDir, $"churn-{Libraries}");
        Directory.CreateDirectory(_churnDir);
        foreach (var file in Directory.EnumerateFiles(_dir, "*.so")) File.Copy(file, Path.Combine(_churnDir, Path.GetFileName(file)));
        _churnFiles = Directory.GetFiles(_churnDir, "*.so").Order(StringComparer.Ordinal).ToArray();
        _churnHost = new PluginHost(new PluginHostOptions
        {
            UseEnvironmentSearchPath = false,
            Discovery = new DiscoveryOptions { ScannerPath = scanner, CachePath = Path.Combine(_cacheDir, $"churn-{Libraries}.bin") },
        });
        if (_churnHost.Discover([_churnDir]).Libraries.Count != Libraries)
            throw new InvalidOperationException($"the copy of {_dir} did not discover {Libraries} libraries");
        WarmUpToTier1();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _warmHost.Dispose();
        _coldHost.Dispose();
        _churnHost.Dispose();
        try { Directory.Delete(_cacheDir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Listing from a warm registry cache: nothing is loaded, no scanner runs.</summary>
    [Benchmark]
    public int DiscoverWarmCache()
    {
        var catalog = _warmHost.Discover([_dir]);
        if (catalog.Statistics.CacheHits != Libraries)
            throw new InvalidOperationException($"{catalog.Statistics}: the cache should answer all {Libraries}");
        return catalog.Libraries.Count;
    }

    /// <summary>A cold discovery: every library loaded, validated and reported by nplug-scan in a child process.</summary>
    [Benchmark]
    public int DiscoverColdScan()
    {
        var catalog = _coldHost.Discover([_dir]);
        if (catalog.Libraries.Count != Libraries)
            throw new InvalidOperationException($"scanned {catalog.Libraries.Count} of {Libraries}: {string.Join("; ", catalog.Errors.Take(3).Select(e => e.Message))}");
        return catalog.Libraries.Count;
    }

    private int Touched => Math.Min(10, Libraries);

    /// <summary>Ten files spread over the folder get a new modification time (a later one every iteration).</summary>
    [IterationSetup(Target = nameof(DiscoverAfterTouchingTen))]
    public void TouchTen()
    {
        var when = DateTime.UtcNow.AddSeconds(++_churnRound);
        for (int i = 0; i < Touched; i++) File.SetLastWriteTimeUtc(_churnFiles[i * (Libraries / Touched)], when);
    }

    /// <summary>The ten touched files are scanned again (one scanner run), the others answered from the cache.</summary>
    [Benchmark]
    public int DiscoverAfterTouchingTen() => DiscoverChurn(Touched);

    /// <summary>One file replaced as linkers and package managers do: a copy renamed over it (a new inode).</summary>
    [IterationSetup(Target = nameof(DiscoverAfterReplacingOne))]
    public void ReplaceOne()
    {
        var target = _churnFiles[Libraries / 2];
        var incoming = target + ".incoming";
        File.Copy(target, incoming, overwrite: true);
        File.Move(incoming, target, overwrite: true);
    }

    [Benchmark]
    public int DiscoverAfterReplacingOne() => DiscoverChurn(1);

    private int DiscoverChurn(int changed)
    {
        var catalog = _churnHost.Discover([_churnDir]);
        if (catalog.Statistics.Scanned != changed || catalog.Statistics.CacheHits != Libraries - changed || catalog.Libraries.Count != Libraries)
            throw new InvalidOperationException($"{catalog.Statistics}: expected {changed} scanned and {Libraries - changed} from the cache");
        return catalog.Libraries.Count;
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
                DiscoverWarmCache();
                TouchTen();
                DiscoverAfterTouchingTen();
                ReplaceOne();
                DiscoverAfterReplacingOne();
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
