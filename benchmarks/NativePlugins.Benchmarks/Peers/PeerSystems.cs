using NativePlugins.Benchmarks.Infrastructure;

namespace NativePlugins.Benchmarks.Peers;

/// <summary>
/// The systems the peers group compares (benchmarks/peers/README.md), each running upper | grep pattern=#EVEN | count
/// over the records of the pipeline group. The key names the system in the BenchmarkDotNet method
/// (<see cref="PeerBenchmarks"/>), in the probes and in the report.
/// </summary>
public static class PeerSystems
{
    /// <summary>The pipeline every system runs: the benchmark plugin ids and configs, as the pipeline group.</summary>
    public static readonly IReadOnlyList<(string PluginId, string Config)> Stages =
        [(BenchPlugins.Upper, ""), (BenchPlugins.Grep, BenchPlugins.GrepConfig), (BenchPlugins.Count, "")];

    /// <summary>(key, label, short label for table columns) in table order; the first one is the reference of every ratio.</summary>
    public static readonly IReadOnlyList<(string Key, string Label, string Short)> All =
    [
        (NativeInProcess, "NativePlugins in-process", "NativePlugins in-process"),
        (NativeIsolated, "NativePlugins isolated, worker on the host's CPU", "NativePlugins isolated, same CPU"),
        (NativeIsolatedOwnCpu, "NativePlugins isolated, worker on a CPU of its own", "NativePlugins isolated, own CPU"),
        (NativeIsolatedCopied, "NativePlugins isolated, restricted worker on a CPU of its own (every batch copied in and out)", "NativePlugins isolated restricted (copies), own CPU"),
        (McMaster, "managed plugins, McMaster.NETCore.Plugins 2.0.0 (collectible ALC)", "McMaster ALC"),
        (Wasmtime, "WebAssembly, Wasmtime for .NET 50.0.1", "Wasmtime"),
        (Managed, "plain managed C#", "plain C#"),
    ];

    public const string NativeInProcess = "NativePluginsInProcess";

    /// <summary>NativePlugins with <c>PluginHostOptions.Isolation = ProcessPerLibrary</c>: the same library in an
    /// nplug-worker process. Its cold start and memory are not probed here (the worker's start is measured by the
    /// isolation tests; its RSS is another process's).</summary>
    public const string NativeIsolated = "NativePluginsIsolated";

    /// <summary>The same, with the worker moved to another CPU than the pinned host's (Isolation/WorkerCpu.cs): an
    /// isolated host is two processes, and on an unpinned machine the kernel gives each a CPU.</summary>
    public const string NativeIsolatedOwnCpu = "NativePluginsIsolatedOwnCpu";

    /// <summary>The same as <see cref="NativeIsolatedOwnCpu"/> with <c>IsolationOptions.Restricted</c>: a restricted
    /// worker is never handed host memory, so each batch is copied into it and its output copied back (what every
    /// isolated call cost before shared record buffers).</summary>
    public const string NativeIsolatedCopied = "NativePluginsIsolatedCopied";

    /// <summary>NativePlugins itself in a worker: not peers (left out of the "fastest peer" check).</summary>
    public static bool IsIsolated(string key) => key is NativeIsolated or NativeIsolatedOwnCpu or NativeIsolatedCopied;

    public const string McMaster = "McMasterPlugins";
    public const string Wasmtime = "WasmtimePlugins";
    public const string Managed = "ManagedCSharp";

    /// <summary>The systems the cold-start and memory probes run (all but the isolated host, see its key).</summary>
    public static readonly IReadOnlyList<string> Probed = [NativeInProcess, McMaster, Wasmtime, Managed];
}
