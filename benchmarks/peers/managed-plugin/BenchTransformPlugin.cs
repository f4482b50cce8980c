using NativePlugins.Benchmarks.PeerContract;
using NativePlugins.Benchmarks.Throughput;

namespace NativePlugins.Benchmarks.ManagedPlugin;

/// <summary>
/// The plugin's entry type: the three stages of the benchmark plugin bundle under the same ids
/// (org.nativeplugins.bench.upper, .grep with "pattern=...", .count), each a thin <see cref="IRecordTransform"/> over
/// <see cref="ManagedStages"/>.
/// </summary>
public sealed class BenchTransformPlugin : IRecordTransformPlugin
{
    public const string Upper = "org.nativeplugins.bench.upper";
    public const string Grep = "org.nativeplugins.bench.grep";
    public const string Count = "org.nativeplugins.bench.count";

    public IReadOnlyList<string> Stages { get; } = [Upper, Grep, Count];

    public IRecordTransform Create(string stage, string config) => stage switch
    {
        Upper when config.Length == 0 => new UpperTransform(),
        Grep => new GrepTransform(ManagedStages.ParseGrepPattern(config)),
        Count when config.Length == 0 => new CountTransform(),
        Upper or Count => throw new ArgumentException($"{stage}: unknown config '{config}' (this stage takes none)", nameof(config)),
        _ => throw new ArgumentException($"unknown stage '{stage}' (this plugin has {string.Join(", ", Stages)})", nameof(stage)),
    };

    private abstract class Transform : IRecordTransform
    {
        private ulong _records, _bytes;
        protected readonly ManagedRecords Output = new();

        public (ulong Records, ulong Bytes) Received => (_records, _bytes);

        public ManagedRecords Process(ManagedRecords input)
        {
            _records += (ulong)input.Count;
            _bytes += (ulong)input.DataLength;
            Run(input);
            return Output;
        }

        protected abstract void Run(ManagedRecords input);
    }

    private sealed class UpperTransform : Transform
    {
        protected override void Run(ManagedRecords input) => ManagedStages.Upper(input, Output);
    }

    private sealed class GrepTransform(byte[] pattern) : Transform
    {
        protected override void Run(ManagedRecords input) => ManagedStages.Grep(input, Output, pattern);
    }

    private sealed class CountTransform : Transform
    {
        private ulong _countedRecords, _countedBytes;
        protected override void Run(ManagedRecords input) => ManagedStages.Count(input, Output, ref _countedRecords, ref _countedBytes);
    }
}
