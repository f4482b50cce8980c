using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using static NativePlugins.Hosting.Diagnostics.PluginTelemetry;

namespace NativePlugins.Hosting.Diagnostics;

/// <summary>
/// The counters of one meter (<see cref="PluginTelemetry"/>): a host made with an <see cref="IMeterFactory"/> gets the
/// factory's meter (owned and disposed by the factory), every other host shares one process-wide meter. Hot paths
/// test <see cref="IsObserved"/> (a few field loads) before reading anything they would record, and record per call,
/// never per record.
/// </summary>
internal sealed class HostMetrics
{
    private static readonly string? MeterVersion = typeof(HostMetrics).Assembly.GetName().Version?.ToString(3);

    private static readonly Lazy<HostMetrics> Shared = new(() => new HostMetrics(new Meter(SourceName, MeterVersion)));

    private HostMetrics(Meter meter)
    {
        Calls = meter.CreateCounter<long>(CallsInstrument, "{call}", "Calls into plugin instances");
        RecordsIn = meter.CreateCounter<long>(RecordsInInstrument, "{record}", "Records handed to np.transform/1 process calls");
        RecordsOut = meter.CreateCounter<long>(RecordsOutInstrument, "{record}", "Records np.transform/1 instances emitted");
        Failures = meter.CreateCounter<long>(FailuresInstrument, "{call}", "Plugin calls that failed or broke the protocol");
    }

    public static HostMetrics For(IMeterFactory? factory) =>
        factory is null ? Shared.Value : new HostMetrics(factory.Create(new MeterOptions(SourceName) { Version = MeterVersion }));

    public Counter<long> Calls { get; }
    public Counter<long> RecordsIn { get; }
    public Counter<long> RecordsOut { get; }
    public Counter<long> Failures { get; }

    /// <summary>True when a listener takes calls or records. Failures are tested apart, on their cold path.</summary>
    public bool IsObserved
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Calls.Enabled || RecordsIn.Enabled || RecordsOut.Enabled;
    }

    /// <summary>The tags of every call of one operation on one instance, made once per instance.</summary>
    public static KeyValuePair<string, object?>[] CallTags(string pluginId, string interfaceId, string operation) =>
    [
        new(PluginIdTag, pluginId),
        new(InterfaceIdTag, interfaceId),
        new(OperationTag, operation),
    ];

    /// <summary>One transform call of a whole batch: the call, then the records it took and emitted.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordTransformCall(KeyValuePair<string, object?>[] tags, long recordsIn, long recordsOut)
    {
        ReadOnlySpan<KeyValuePair<string, object?>> t = tags;
        Calls.Add(1, t);
        if (recordsIn != 0) RecordsIn.Add(recordsIn, t);
        if (recordsOut != 0) RecordsOut.Add(recordsOut, t);
    }

    /// <summary>One call of a registered interface's function (or a create), tagged on the spot: the tags live on the
    /// stack, nothing is allocated.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordCall(string pluginId, string interfaceId, string operation)
    {
        if (!Calls.Enabled) return;
        Calls.Add(1, new KeyValuePair<string, object?>(PluginIdTag, pluginId),
            new KeyValuePair<string, object?>(InterfaceIdTag, interfaceId),
            new KeyValuePair<string, object?>(OperationTag, operation));
    }

    /// <summary>A failed call: <paramref name="errorType"/> is the status name or <see cref="ProtocolViolationErrorType"/>.</summary>
    public void RecordFailure(string pluginId, string interfaceId, string operation, string errorType)
    {
        if (!Failures.Enabled) return;
        Failures.Add(1, new KeyValuePair<string, object?>(PluginIdTag, pluginId),
            new KeyValuePair<string, object?>(InterfaceIdTag, interfaceId),
            new KeyValuePair<string, object?>(OperationTag, operation),
            new KeyValuePair<string, object?>(ErrorTypeTag, errorType));
    }
}
