using System.Runtime.InteropServices;

namespace NativePlugins.Benchmarks.Abi;

/// <summary>
/// Mirror of <c>np_bench_v1_t</c> (benchmarks/native/include/np_bench.h), the benchmark-only interface
/// <c>np.bench/1</c>. Written by hand because it is not part of the ABI header the generator reads; keep the two in
/// sync (the trivial-call benchmarks check <c>struct_size</c> at setup).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct NpBenchV1
{
    /// <summary>The interface id.</summary>
    public const string Id = "np.bench/1";

    public uint struct_size;
    public uint reserved;

    /// <summary>[leaf] value + 1.</summary>
    public delegate* unmanaged[Cdecl]<ulong, ulong> increment;

    /// <summary>[leaf] does nothing.</summary>
    public delegate* unmanaged[Cdecl]<void> noop;
}
