using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using NativePlugins.Hosting.Diagnostics;
using NativePlugins.Hosting.Instances;
using NativePlugins.Hosting.Isolation;
using NativePlugins.Hosting.Loading;
using NativePlugins.Hosting.Services;
using NativePlugins.Hosting.Threading;
using NativePlugins.Hosting.Transforms;
using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>
/// One instance of an <c>np.transform/1</c> plugin: <see cref="Process(RecordBatch, RecordBuffer)"/> batches,
/// <see cref="Flush"/> at the end of a stream, <see cref="Dispose"/>. Calls on an instance of a
/// <see cref="PluginThreading.Single"/> plugin never overlap (rule H4); instances of thread-safe plugins take
/// concurrent calls. The thread that calls an instance first owns it and pays no lock and no atomic instruction;
/// other threads are correct but slower (see <c>CallGate</c>). Every call goes straight through the vtable's
/// function pointer; a failing status raises <see cref="PluginCallException"/> with the plugin's own message.
/// With <see cref="PluginHostOptions.Isolation"/> the instance lives in a worker process instead (same type, same
/// errors): each call is a request over shared memory, its calls are serialized, and a crash, exit or missed deadline
/// of the plugin raises <see cref="PluginCrashedException"/> / <see cref="PluginTimeoutException"/> with the batch
/// handed back and the output untouched; the instance is then recreated at its next call (<see cref="Restarted"/>).
/// </summary>
public sealed unsafe partial class TransformInstance : IDisposable
{
    private readonly InstanceHandle _handle;
    private readonly TransformVTable _vt;
    private readonly CallGate _gate;
    private readonly HostMetrics _metrics;
    private readonly KeyValuePair<string, object?>[] _processTags;
    private readonly KeyValuePair<string, object?>[] _flushTags;
    private int _poisoned;
    private readonly IsolatedTransform? _isolated;

    private TransformInstance(PluginLibrary library, PluginInfo plugin, TransformVTable vt, string config,
        InstanceHandle handle, AllocationCounters counters)
    {
        Library = library;
        Plugin = plugin;
        Config = config;
        Allocations = counters;
        _vt = vt;
        _handle = handle;
        _gate = new CallGate(serialize: plugin.Threading == PluginThreading.Single, destroy: handle.Dispose);
        _metrics = library.Host.Metrics;
        // Made once here, so that a call a listener observes allocates nothing for its tags.
        _processTags = HostMetrics.CallTags(plugin.Id, NpAbi.NP_TRANSFORM_ID_STRING, "process");
        _flushTags = HostMetrics.CallTags(plugin.Id, NpAbi.NP_TRANSFORM_ID_STRING, "flush");
    }

    /// <summary>An instance in a worker process (<see cref="PluginHostOptions.Isolation"/>).</summary>
    private TransformInstance(PluginLibrary library, PluginInfo plugin, string config, IsolatedTransform isolated)
    {
        Library = library;
        Plugin = plugin;
        Config = config;
        Allocations = new AllocationCounters(null); // kept by the worker's own host (np_c_host), not here
        _vt = null!;
        _handle = null!;
        _isolated = isolated;
        isolated.Owner = this;
        isolated.OnRestarted = e => Restarted?.Invoke(this, e);
        _gate = new CallGate(serialize: true, destroy: isolated.Dispose);
        _metrics = library.Host.Metrics;
        _processTags = HostMetrics.CallTags(plugin.Id, NpAbi.NP_TRANSFORM_ID_STRING, "process");
        _flushTags = HostMetrics.CallTags(plugin.Id, NpAbi.NP_TRANSFORM_ID_STRING, "flush");
    }

    /// <summary>Raised (on the calling thread, before the call proceeds) each time an isolated instance was
    /// recreated after its worker crashed, exited or missed a deadline. Never raised for an in-process instance.</summary>
    public event EventHandler<PluginRestartedEventArgs>? Restarted;

    /// <summary>Where this instance runs: <see cref="PluginIsolation.InProcess"/>, or in a worker process.</summary>
    public PluginIsolation Isolation => _isolated?.Mode ?? PluginIsolation.InProcess;

    /// <summary>How many times an isolated instance was recreated (0 in-process).</summary>
    public int RestartCount => _isolated?.Restarts ?? 0;

    /// <summary>The pid of the worker process an isolated instance runs in now (0 in-process or between a fault
    /// and the restart).</summary>
    public int WorkerProcessId => _isolated?.WorkerPid ?? 0;

    /// <summary>The plugin this is an instance of.</summary>
    public PluginInfo Plugin { get; }

    /// <summary>The library the plugin came from (kept loaded while this instance lives).</summary>
    public PluginLibrary Library { get; }

    /// <summary>The config string the instance was created with.</summary>
    public string Config { get; }

    /// <summary>Host-allocator counters of this instance (rule P4: zero live allocations after destroy).</summary>
    public AllocationCounters Allocations { get; }

    /// <summary>True when the plugin offers <c>stats</c> (optional, ABI 1.1; absent with an ABI 1.0 library).</summary>
    public bool SupportsStats => _isolated is not null ? _isolated.HasStats : _vt.HasStats;

    /// <summary>True after a call returned NP_ERR_PANIC (the plugin now answers every call with NP_ERR_STATE, rule
    /// P7), or after the plugin wrote past a buffer the host gave it (the host then makes no call but destroy).</summary>
    public bool IsPoisoned => Volatile.Read(ref _poisoned) != 0 || _gate.IsPoisoned;

    /// <summary>True once disposed (destroy itself waits for calls still in flight).</summary>
    public bool IsDisposed => _gate.IsDisposed;

    /// <summary>The np_host_t this instance was created with (tests log through it).</summary>
    internal np_host_t* HostTable => _isolated is not null ? null : _handle.Table.Pointer;

    internal static TransformInstance Create(PluginLibrary library, PluginInfo plugin, TransformVTable vt, string config)
    {
        var handle = InstanceCreation.Create(library, plugin, NpAbi.NP_TRANSFORM_ID_STRING, "create",
            (delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, void**, np_error_t*, int>)vt.V.create,
            (delegate* unmanaged[Cdecl]<void*, void>)vt.V.destroy, config, out var counters);
        return new TransformInstance(library, plugin, vt, config, handle, counters);
    }

    internal static TransformInstance CreateIsolated(PluginLibrary library, PluginInfo plugin, IsolatedLibrary isolated,
        bool hasStats, string config, ILogger logger) =>
        new(library, plugin, config, IsolatedTransform.Create(isolated, plugin, config, hasStats, logger));

    /// <summary>Processes a batch, appending the output records to <paramref name="output"/>.</summary>
    /// <exception cref="PluginCallException">The plugin returned a failing status (what it emitted before the
    /// failure stays in <paramref name="output"/>), or broke the emitter protocol (its output is discarded).</exception>
    /// <remarks>Cheapest from one thread: the first thread to call an instance owns it and its calls take no lock
    /// and no atomic instruction (see <c>CallGate</c>); calls from other threads stay correct, at the cost of an
    /// interlocked count (and the lock, for single-threaded plugins).</remarks>
    public void Process(RecordBatch input, RecordBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (input.DataPointer != null && input.DataPointer == output.DataPointer)
            throw new ArgumentException("input and output must be different buffers", nameof(output));
        // Scalar field stores, not struct initialisers: see NpScalarInit (256-bit zeroing before native SSE code).
        if (_isolated is not null)
        {
            CallIsolated(input, output, flush: false);
            return;
        }
        np_batch_t batch;
        input.ToNative(&batch);
        CallWithEmitter(&batch, output);
    }

    /// <summary>Processes one record straight from managed memory (pinned for the call, not copied), appending the
    /// output to <paramref name="output"/>. For many records, a <see cref="RecordBuffer"/> batch is far cheaper.</summary>
    public void Process(ReadOnlySpan<byte> record, RecordBuffer output)
    {
        ulong* offsets = stackalloc ulong[2];
        offsets[0] = 0;
        offsets[1] = (ulong)record.Length;
        fixed (byte* data = record)
            // An empty span pins to NULL; a plugin may rightly refuse NULL data with count > 0.
            Process(new RecordBatch(data == null ? RecordBatch.NonNullEmptyData : data, offsets, 1), output);
    }

    /// <summary>Processes the records of <paramref name="input"/>, appending the output to <paramref name="output"/>.</summary>
    public void Process(RecordBuffer input, RecordBuffer output)
    {
        ArgumentNullException.ThrowIfNull(input);
        Process(input.AsBatch(), output);
    }

    /// <summary>Ends the stream: the plugin emits what it held back into <paramref name="output"/> and resets.</summary>
    public void Flush(RecordBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_isolated is not null)
        {
            CallIsolated(default, output, flush: true);
            return;
        }
        CallWithEmitter(null, output);
    }

    /// <summary>A call of an isolated instance: through the call gate (so Dispose waits for it), then one request
    /// to the worker; metrics as in-process.</summary>
    private void CallIsolated(RecordBatch input, RecordBuffer output, bool flush)
    {
        int thread = OwnerBias.CurrentThread;
        var path = _gate.Enter(thread);
        if (path < CallPath.Owner) ThrowRefused(path, flush ? "flush" : "process");
        bool observed = _metrics.IsObserved;
        int countBefore = observed ? output.Count : 0;
        try
        {
            if (flush) _isolated!.Flush(output);
            else _isolated!.Process(input, output);
        }
        catch (PluginCallException e)
        {
            _metrics.RecordFailure(Plugin.Id, NpAbi.NP_TRANSFORM_ID_STRING, flush ? "flush" : "process",
                e is PluginCrashedException ? "crashed" : e.IsProtocolViolation ? PluginTelemetry.ProtocolViolationErrorType : e.StatusName);
            throw;
        }
        finally
        {
            _gate.Exit(thread, path);
        }
        if (observed)
            _metrics.RecordTransformCall(flush ? _flushTags : _processTags, flush ? 0 : input.Count, output.Count - countBefore);
    }

    /// <summary>One <c>process</c> (batch given) or <c>flush</c> (batch null) call: through the call gate, with the
    /// output buffer marked in use, the emitter protocol checked afterwards (rule P10) and a failure raised with
    /// the plugin's message.</summary>
    private void CallWithEmitter(np_batch_t* batch, RecordBuffer output)
    {
        int thread = OwnerBias.CurrentThread;
        byte* buffer = stackalloc byte[PluginErrorText.BufferBytes];
        np_error_t error; // field by field (rule H8, NpScalarInit)
        PluginErrorText.Init(&error, buffer);
        var path = _gate.Enter(thread);
        if (path < CallPath.Owner) ThrowRefused(path, batch != null ? "process" : "flush");
        np_emitter_t* emitter;
        BufferCall call;
        try
        {
            emitter = output.BeginCall(thread, out call);
        }
        catch
        {
            _gate.Exit(thread, path); // the buffer is busy or disposed: no call was made
            throw;
        }
        // Metrics: one test of a few fields when nobody listens; when someone does, one record per call (per batch).
        bool observed = _metrics.IsObserved;
        int countBefore = observed ? output.Count : 0;
        // No try/finally around the call itself: native code cannot throw a managed exception (the host's own
        // callbacks catch everything), and the finally would cost a funclet call on every batch.
        int status = batch != null
            ? _vt.V.process((np_instance_t*)_handle.Pointer, batch, emitter, &error)
            : _vt.V.flush((np_instance_t*)_handle.Pointer, emitter, &error);
        string? violation;
        bool overran;
        try
        {
            violation = output.EndCall(call, out overran);
        }
        finally
        {
            _gate.Exit(thread, path);
        }
        if (observed)
            _metrics.RecordTransformCall(batch != null ? _processTags : _flushTags,
                batch != null ? (long)batch->count : 0, violation is null ? output.Count - countBefore : 0);
        // The error buffer's guard is checked on success too: an overrun is a violation whatever the status.
        if (violation is not null || status != NpAbi.NP_OK || !PluginErrorText.GuardIntact(buffer))
            Fail(batch != null ? "process" : "flush", status, violation, overran, error, buffer);
    }

    /// <summary>Reads the plugin's counters. False when the plugin has no <c>stats</c> (optional; absent with an
    /// ABI 1.0 library). <c>stats</c> is a [leaf] function, called without a GC transition; from the owner thread
    /// the whole call is a handful of plain loads and stores around it.</summary>
    public bool TryGetStats(out TransformStats stats)
    {
        // Not `stats = default` here: that 32-byte store would be a 256-bit one right before the native call.
        // The isolated path is a call of its own, so that no try/finally sits in the in-process [leaf] path.
        if (_isolated is not null) return TryGetIsolatedStats(out stats);
        var fn = (delegate* unmanaged[Cdecl, SuppressGCTransition]<np_instance_t*, np_transform_stats_t*, int>)_vt.V.stats;
        if (fn == null)
        {
            stats = default;
            return false;
        }
        int thread = OwnerBias.CurrentThread;
        np_transform_stats_t s; // filled by scalar stores, never a 256-bit zeroing (see NpScalarInit)
        NpScalarInit.Init(&s);
        int status;
        var path = _gate.Enter(thread);
        if (path < CallPath.Owner) ThrowRefused(path, "stats");
        status = fn((np_instance_t*)_handle.Pointer, &s); // [leaf] native code: cannot throw, so no try/finally (P11)
        _gate.Exit(thread, path);
        if (status != NpAbi.NP_OK)
            throw new PluginCallException("stats", status, Plugin.Id, Plugin.FilePath,
                "stats has no error buffer; the plugin returned a failing status");
        stats = new TransformStats(s.records_in, s.records_out, s.bytes_in, s.bytes_out);
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryGetIsolatedStats(out TransformStats stats)
    {
        int thread = OwnerBias.CurrentThread;
        var path = _gate.Enter(thread);
        if (path < CallPath.Owner) ThrowRefused(path, "stats");
        try
        {
            return _isolated!.TryGetStats(out stats);
        }
        finally
        {
            _gate.Exit(thread, path);
        }
    }

    /// <summary>Destroys the instance: right away when no call is in flight, otherwise as soon as the last call in
    /// flight returns (from whichever thread). Calls that start afterwards throw <see cref="ObjectDisposedException"/>.
    /// Idempotent.</summary>
    public void Dispose() => _gate.Dispose(OwnerBias.CurrentThread);

    /// <inheritdoc />
    public override string ToString() => $"{Plugin.Id} ({(Config.Length == 0 ? "defaults" : Config)})";

    /// <summary>A call refused before plugin code ran: disposed, or poisoned by the host after an overrun.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowRefused(CallPath path, string operation)
    {
        if (path == CallPath.Disposed) throw new ObjectDisposedException(ToString());
        throw new PluginCallException(operation, NpAbi.NP_ERR_STATE, Plugin.Id, Plugin.FilePath,
            $"the instance is poisoned: an earlier call {_poisonReason}; the host makes no call on it but destroy");
    }

    private string? _poisonReason;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Fail(string operation, int status, string? violation, bool overran, in np_error_t error, byte* buffer)
    {
        // Checked before anything is read or freed: the emitter first (its output was already discarded), then the
        // error buffer. An overrun of either poisons the instance: memory the plugin must not touch was written, so
        // nothing it does later can be trusted (only destroy is still called, to release what it holds).
        var errorViolation = PluginErrorText.Violation(status, error, buffer, out bool errorOverran);
        if (violation is not null || errorViolation is not null)
        {
            _metrics.RecordFailure(Plugin.Id, NpAbi.NP_TRANSFORM_ID_STRING, operation, PluginTelemetry.ProtocolViolationErrorType);
            var text = violation is not null
                ? $"{violation} (rule P10); the output of this call was discarded" +
                  (errorViolation is not null ? $"; it also {errorViolation}" : "")
                : $"it {PluginErrorText.Describe(errorViolation!, status, error, buffer)}";
            if (overran || errorOverran)
            {
                _poisonReason = (overran ? "wrote past the end of the output buffer" : "wrote past the end of the error buffer") +
                    " (its memory is suspect)";
                _gate.Poison(OwnerBias.CurrentThread);
                text += "; the instance is poisoned";
            }
            throw new PluginCallException(operation, status, Plugin.Id, Plugin.FilePath, text, error.code,
                protocolViolation: true);
        }
        _metrics.RecordFailure(Plugin.Id, NpAbi.NP_TRANSFORM_ID_STRING, operation, NpStatus.Name(status));
        if (status == NpAbi.NP_ERR_PANIC) Volatile.Write(ref _poisoned, 1);
        throw new PluginCallException(operation, status, Plugin.Id, Plugin.FilePath,
            PluginErrorText.Read(error, buffer), error.code);
    }
}

/// <summary>The counters of <c>np_transform_stats_t</c>: since the instance was created.</summary>
public readonly record struct TransformStats(ulong RecordsIn, ulong RecordsOut, ulong BytesIn, ulong BytesOut);
