using NativePlugins.Hosting.Diagnostics;
using NativePlugins.Hosting.Instances;
using NativePlugins.Hosting.Isolation;
using NativePlugins.Hosting.Threading;
using NativePlugins.Interop;

namespace NativePlugins.Hosting;

// An isolated instance as a stage of a chain (Isolation/IsolatedChain.cs: consecutive pipeline stages in one worker
// run as one request): the chain enters each stage's call gate, as a call of the stage's own would, and records each
// stage's call in the host's metrics as that call would.
public sealed partial class TransformInstance
{
    /// <summary>The worker-side backend, or null in-process.</summary>
    internal IsolatedTransform? IsolatedBackend => _isolated;

    /// <summary>Enters the call gate for a chained call (so Dispose waits for it); throws as a call would when the
    /// instance is disposed or poisoned.</summary>
    internal CallPath EnterChained(string operation)
    {
        var path = _gate.Enter(OwnerBias.CurrentThread);
        if (path < CallPath.Owner) ThrowRefused(path, operation);
        return path;
    }

    internal void ExitChained(CallPath path) => _gate.Exit(OwnerBias.CurrentThread, path);

    /// <summary>The metrics of a chained call that returned OK.</summary>
    internal void RecordChainedCall(bool flush, long recordsIn, long recordsOut)
    {
        if (_metrics.IsObserved) _metrics.RecordTransformCall(flush ? _flushTags : _processTags, recordsIn, recordsOut);
    }

    /// <summary>The metrics of a chained call that failed or crashed its worker.</summary>
    internal void RecordChainedFailure(string operation, PluginCallException e) =>
        _metrics.RecordFailure(Plugin.Id, NpAbi.NP_TRANSFORM_ID_STRING, operation,
            e is PluginCrashedException ? "crashed" : e.IsProtocolViolation ? PluginTelemetry.ProtocolViolationErrorType : e.StatusName);
}
