using BenchmarkDotNet.Attributes;
using NativePlugins.Benchmarks.Infrastructure;
using NativePlugins.Hosting;

namespace NativePlugins.Benchmarks.CallCost;

/// <summary>
/// Cost of one plugin call from the .NET host, per plugin language (benchmarks/plugin-targets.tsv; rows whose library
/// is not built are skipped here and reported as "not built"): <c>process</c> of a one-record batch, and
/// <c>stats</c> where the plugin offers it. The C harness times the same rows (plugin_call/*).
/// </summary>
[BenchmarkCategory("plugin-call")]
public class PluginCallBenchmarks
{
    [ParamsSource(nameof(Targets))]
    public PluginTarget Target { get; set; } = null!;

    public static IEnumerable<PluginTarget> Targets => PluginTargets.Built;

    private PluginHost _host = null!;
    private TransformInstance _instance = null!;
    private RecordBuffer _input = null!, _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = new PluginHost();
        _host.Load(Target.Path);
        _instance = _host.CreateTransform(Target.PluginId, Target.Config);
        _input = new RecordBuffer(256, 4);
        _input.Append(Target.Record);
        _output = new RecordBuffer(4096, 64);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _instance.Dispose();
        _input.Dispose();
        _output.Dispose();
        _host.Dispose();
    }

    [Benchmark]
    public int Process()
    {
        _output.Clear();
        _instance.Process(_input, _output);
        return _output.Count;
    }
}

/// <summary><c>stats</c> ([leaf]) per plugin language, for the rows whose plugin offers it.</summary>
[BenchmarkCategory("plugin-call")]
public class PluginStatsBenchmarks
{
    [ParamsSource(nameof(Targets))]
    public PluginTarget Target { get; set; } = null!;

    public static IEnumerable<PluginTarget> Targets => PluginTargets.Built.Where(OffersStats);

    private PluginHost _host = null!;
    private TransformInstance _instance = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = new PluginHost();
        _host.Load(Target.Path);
        _instance = _host.CreateTransform(Target.PluginId, Target.Config);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _instance.Dispose();
        _host.Dispose();
    }

    [Benchmark]
    public ulong Stats()
    {
        _instance.TryGetStats(out var s);
        return s.RecordsIn;
    }

    private static bool OffersStats(PluginTarget target)
    {
        try
        {
            using var host = new PluginHost();
            host.Load(target.Path);
            using var instance = host.CreateTransform(target.PluginId, target.Config);
            return instance.SupportsStats;
        }
        catch (Exception)
        {
            return false; // a plugin that cannot even be created shows up as a failed Process benchmark instead
        }
    }
}
