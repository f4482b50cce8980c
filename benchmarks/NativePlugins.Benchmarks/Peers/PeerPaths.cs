using NativePlugins.Benchmarks.Infrastructure;

namespace NativePlugins.Benchmarks.Peers;

/// <summary>Where the peers' plugins are built (benchmarks/peers/README.md).</summary>
public static class PeerPaths
{
    /// <summary>The Wasm module: benchmarks/native/plugins/np_bench_plugin.c + benchmarks/peers/wasm/np_bench_wasm_stage.c
    /// for wasm32 (CMake target np_bench_wasm_peer, not part of ALL; benchmarks/run.sh builds it).</summary>
    public static string WasmModule => Path.Combine(BenchPaths.BuildDir, "bench", "peers", "np_bench_stage.wasm");

    /// <summary>The managed plugin assembly (benchmarks/peers/managed-plugin), copied next to this assembly by its build.</summary>
    public static string ManagedPlugin =>
        Path.Combine(AppContext.BaseDirectory, "peers", "managed-plugin", "NativePlugins.Benchmarks.ManagedPlugin.dll");

    public static bool WasmModuleBuilt => File.Exists(WasmModule);
}
