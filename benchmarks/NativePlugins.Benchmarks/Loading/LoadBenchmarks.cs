using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using NativePlugins.Benchmarks.Infrastructure;
using NativePlugins.Hosting;

namespace NativePlugins.Benchmarks.Loading;

/// <summary>
/// Load time of one library: the .NET host's <see cref="PluginHost.Load"/> (dlopen + np_entry negotiation +
/// validation of every descriptor + init) against a bare <see cref="NativeLibrary.Load(string)"/>. One load per
/// iteration; the unload happens in the iteration cleanup, outside the clock, so every iteration maps the file
/// again: only the rows of benchmarks/plugin-targets.tsv whose library really unmaps are timed (NativeAOT and hosted
/// C# plugins stay mapped by design, rule H6). The C harness times the same files (load/*).
/// </summary>
[BenchmarkCategory("load")]
public class LoadBenchmarks
{
    [ParamsSource(nameof(Targets))]
    public PluginTarget Target { get; set; } = null!;

    public static IEnumerable<PluginTarget> Targets => PluginTargets.Built.Where(Unloads);

    private PluginHost _host = null!;
    private PluginLibrary? _library;
    private nint _handle;

    [GlobalSetup]
    public void Setup()
    {
        _host = new PluginHost();
        var library = _host.Load(Target.Path);
        library.Dispose();
        if (MappedFiles.IsMapped(Target.Path))
            throw new InvalidOperationException($"{Target.Path} stays mapped after unloading: load times would be a ref-count bump");
        WarmUpToTier1();
    }

    /// <summary>One load per iteration is too few calls for tiered compilation to promote the host's load path
    /// (30 calls, then 100 ms without new Tier0 work): without this, the iterations would time Tier0 code. Loading a
    /// library a few times at startup does run Tier0 code; that is the cold-start probe's business, not this one's.</summary>
    private void WarmUpToTier1()
    {
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 100; i++)
            {
                _host.Load(Target.Path).Dispose();
                NativeLibrary.Free(NativeLibrary.Load(Target.Path));
            }
            Thread.Sleep(250);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _host.Dispose();

    private static bool Unloads(PluginTarget target)
    {
        using (var host = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false }))
        {
            if (!host.TryLoad(target.Path, out _, out _)) return false;
        }
        return !MappedFiles.IsMapped(target.Path);
    }

    [Benchmark]
    public nint BareNativeLibraryLoad() => _handle = NativeLibrary.Load(Target.Path);

    [IterationCleanup(Target = nameof(BareNativeLibraryLoad))]
    public void FreeBare() => NativeLibrary.Free(_handle);

    [Benchmark]
    public PluginLibrary DotNetHostLoad() => _library = _host.Load(Target.Path);

    [IterationCleanup(Target = nameof(DotNetHostLoad))]
    public void UnloadHosted() => _library!.Dispose();
}
