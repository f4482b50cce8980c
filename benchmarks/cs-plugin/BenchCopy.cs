using NativePlugins.PluginSdk;

namespace NativePlugins.Benchmarks.Plugins;

/// <summary>
/// <c>org.nativeplugins.bench.cs.copy</c>: copies every record. The same logic as the C, C SDK and Rust benchmark
/// plugins, so per-language call costs compare the SDKs and runtimes (NativeAOT, hosted CoreCLR), not the work.
/// </summary>
[NativePlugin("org.nativeplugins.bench.cs.copy", Name = "Bench copy (C#)", Version = "1.0.0",
    Description = "copies every record; benchmark-only", Vendor = "NativePlugins benchmarks")]
public sealed class BenchCopy : TransformPlugin
{
    public override void Process(RecordBatch batch, Emitter output)
    {
        foreach (ReadOnlySpan<byte> record in batch) output.Emit(record);
    }
}
