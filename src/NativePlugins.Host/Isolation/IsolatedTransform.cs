using System.Text;
using Microsoft.Extensions.Logging;
using NativePlugins.Hosting.Records;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Isolation;

/// <summary>
/// The backend of an isolated <see cref="TransformInstance"/>: the instance lives in a worker process
/// (<see cref="IsolatedLibrary"/>), each call is one request over shared memory. The input batch is copied once into
/// the worker's input memfd, the plugin emits straight into the output memfd, and the output is copied once into
/// the caller's buffer, only when the call succeeded. When the worker dies or misses its deadline, the call throws
/// <see cref="PluginCrashedException"/> / <see cref="PluginTimeoutException"/> carrying the batch, and the next call
/// recreates the instance with its config under the <see cref="RestartPolicy"/>. Calls on one instance are
/// serialized here (and, per library, all calls into one worker by its gate).
/// </summary>
internal sealed unsafe class IsolatedTransform
{
    private readonly Lock _lock = new();
    private readonly IsolatedLibrary _library;
    private readonly PluginInfo _plugin;
    private readonly string _config;
    private readonly ILogger _logger;
    private WorkerProcess? _worker;
    private uint _remote;
    private readonly InstanceRestarts _restarts;
    private PluginCallException? _pendingCause;
    private bool _disposed;

    private IsolatedTransform(IsolatedLibrary library, PluginInfo plugin, string config, bool hasStats, ILogger logger)
    {
        _library = library;
        _plugin = plugin;
        _config = config;
        HasStats = hasStats;
        _logger = logger;
        _restarts = new InstanceRestarts(library.Options.Restart);
    }

    public bool HasStats { get; }

    public PluginIsolation Mode => _library.Mode;

    /// <summary>Restarts so far.</summary>
    public int Restarts => _restarts.Total;

    /// <summary>Set by the owning <see cref="TransformInstance"/>: raises its Restarted event.</summary>
    public Action<PluginRestartedEventArgs>? OnRestarted { get; set; }

    public TransformInstance? Owner { get; set; }

    /// <summary>Requests the worker served so far (0 when none is live): for tests and diagnostics.</summary>
    public ulong WorkerRequestsServed => _worker is { IsDead: false } w ? Volatile.Read(ref w.Control->served) : 0;

    /// <summary>Regions of shared record buffers the live worker holds (0 when none is live): for tests.</summary>
    public int WorkerRegionsHeld => _worker is { IsDead: false } w ? w.Regions?.Count ?? 0 : 0;

    /// <summary>The worker's pid now (0 when none is live): for tests and diagnostics.</summary>
    public int WorkerPid => _worker is { IsDead: false } w ? w.Pid : 0;

    /// <summary>Creates the instance in a worker. Throws <see cref="PluginCallException"/> when create fails,
    /// <see cref="PluginCrashedException"/> when it crashes the worker.</summary>
    public static IsolatedTransform Create(IsolatedLibrary library, PluginInfo plugin, string config, bool hasStats,
        ILogger logger)
    {
        library.AddReference();
        var t = new IsolatedTransform(library, plugin, config, hasStats, logger);
        try
        {
            WorkerProcess worker;
            try
            {
                worker = library.Acquire();
            }
            catch (WorkerDiedException died)
            {
                throw t.Crashed("create", died, [], limit: false);
            }
            try
            {
                t._remote = t.CreateRemote(worker);
            }
            catch
            {
                library.Return(worker);
                throw;
            }
            t._worker = worker;
            return t;
        }
        catch
        {
            library.Release();
            throw;
        }
    }

    public void Process(RecordBatch input, RecordBuffer output)
    {
        lock (_lock)
        {
            var w = Live("process", input);
            lock (w.Gate)
            {
                WriteInput(w, input);
                Run(w, WorkerProtocol.OpProcess, "process", input, output);
            }
        }
    }

    public void Flush(RecordBuffer output)
    {
        lock (_lock)
        {
            var w = Live("flush", RecordBatch.Empty);
            lock (w.Gate) Run(w, WorkerProtocol.OpFlush, "flush", RecordBatch.Empty, output);
        }
    }

    public bool TryGetStats(out TransformStats stats)
    {
        stats = default;
        if (!HasStats) return false;
        lock (_lock)
        {
            var w = Live("stats", RecordBatch.Empty);
            lock (w.Gate)
            {
                var c = w.Control;
                c->instance = _remote;
                Send(w, WorkerProtocol.OpStats, "stats", RecordBatch.Empty);
                if (c->result != WorkerProtocol.ResultOk) throw Failure(c, "stats");
                _restarts.Succeeded();
                if (c->value != 1) return false;
                stats = new TransformStats(c->stats[0], c->stats[1], c->stats[2], c->stats[3]);
                return true;
            }
        }
    }

    /// <summary>Destroys the instance in its worker (per instance: ends the worker) and drops the library reference.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            if (_worker is { } w)
            {
                if (_library.Mode == PluginIsolation.ProcessPerLibrary && !w.IsDead)
                {
                    lock (w.Gate)
                    {
                        try
                        {
                            w.Control->instance = _remote;
                            w.Call(WorkerProtocol.OpDestroy, _library.Options.CallTimeout);
                        }
                        catch (WorkerDiedException)
                        {
                            // destroy crashed the worker: the instance is gone either way; the next user restarts it
                        }
                        catch (ObjectDisposedException)
                        {
                        }
                    }
                }
                _library.Return(w);
                _worker = null;
            }
            _library.Release();
        }
    }

    // ---- one call --------------------------------------------------------------------------------------------

    /// <summary>The input batch for the worker: where it is, when it is a shared record buffer the worker can be
    /// handed (no copy); else into the input memfd: offsets (rebased to 0) first, then the data, 64-byte aligned.</summary>
    private static void WriteInput(WorkerProcess w, RecordBatch input)
    {
        var c = w.Control;
        if (w.Regions is { } regions && !input.IsEmpty && SharedBuffers.TryHandOver(input, regions, out var at))
        {
            c->input_count = (ulong)input.Count;
            c->input_offsets_region = at.OffsetsRegion;
            c->input_offsets_region_size = at.OffsetsSize;
            c->input_data_region = at.DataRegion;
            c->input_data_region_size = at.DataSize;
            c->input_offsets_at = 0;
            c->input_data_at = 0;
            return;
        }
        c->input_offsets_region = c->input_data_region = 0;
        CopyInput(w, input);
    }

    private static void CopyInput(WorkerProcess w, RecordBatch input)
    {
        ulong count = (ulong)input.Count;
        ulong* offsets = input.OffsetsPointer;
        ulong first = offsets == null ? 0 : offsets[0];
        ulong bytes = offsets == null ? 0 : offsets[count] - first;
        ulong dataAt = ((count + 1) * sizeof(ulong) + 63) / 64 * 64;
        w.Input.Grow(checked((long)(dataAt + bytes)));
        var dst = (ulong*)w.Input.Base;
        dst[0] = 0;
        if (first == 0 && offsets != null) Buffer.MemoryCopy(offsets + 1, dst + 1, count * sizeof(ulong), count * sizeof(ulong));
        else for (ulong i = 1; i <= count; i++) dst[i] = offsets[i] - first;
        if (bytes > 0) Buffer.MemoryCopy(input.DataPointer + first, w.Input.Base + dataAt, bytes, bytes);
        var c = w.Control;
        c->input_count = count;
        c->input_offsets_at = 0;
        c->input_data_at = dataAt;
    }

    /// <summary>PROCESS or FLUSH: on success the output is appended to <paramref name="output"/>; on any failure
    /// <paramref name="output"/> is left as it was.</summary>
    private void Run(WorkerProcess w, uint op, string name, RecordBatch input, RecordBuffer output)
    {
        var c = w.Control;
        c->instance = _remote;
        bool direct = TargetOutput(w, output);
        Send(w, op, name, input);
        if (c->result != WorkerProtocol.ResultOk) throw Failure(c, name);
        _restarts.Succeeded();
        if (!TakeOutput(w, output, direct))
            throw new PluginCallException(name, NpAbi.NP_ERR_STATE, _plugin.Id, _library.FilePath,
                "the worker described an output batch outside its output memory; the output of this call was discarded",
                protocolViolation: true);
    }

    /// <summary>Where the call's output goes: straight into <paramref name="output"/> when it is a shared record
    /// buffer the worker can be handed (true), else the output memfd (false; copied out after the call).</summary>
    internal static bool TargetOutput(WorkerProcess w, RecordBuffer output)
    {
        var c = w.Control;
        var b = output.SharedBlock;
        if (w.Regions is { } regions && b != null && SharedBuffers.TryHandOver(b, regions, out var at))
        {
            c->output_offsets_region = at.OffsetsRegion;
            c->output_offsets_region_size = at.OffsetsSize;
            c->output_data_region = at.DataRegion;
            c->output_data_region_size = at.DataSize;
            c->output_base_count = b->Emitter.count;
            c->output_base_used = b->Emitter.data_used;
            c->output_max_bytes = b->MaxDataBytes;
            c->output_max_records = b->MaxRecords;
            return true;
        }
        c->output_offsets_region = c->output_data_region = 0;
        return false;
    }

    /// <summary>After a successful call: the records the worker appended in place (<paramref name="direct"/>) taken
    /// into <paramref name="output"/>, or the output memfd's copied into it. False when the reply describes no valid
    /// batch (nothing taken).</summary>
    internal static bool TakeOutput(WorkerProcess w, RecordBuffer output, bool direct)
    {
        if (!direct) return w.AppendOutput(output);
        var c = w.Control;
        var b = output.SharedBlock;
        return b != null &&
               b->AdoptWorkerOutput(c->output_offsets_region_size, c->output_data_region_size, c->output_count,
                   c->output_data_used, c->output_base_count, c->output_base_used);
    }

    /// <summary>One request; a death or a missed deadline becomes the call's typed fault.</summary>
    private void Send(WorkerProcess w, uint op, string name, RecordBatch input)
    {
        try
        {
            w.Call(op, _library.Options.CallTimeout);
        }
        catch (WorkerDiedException died)
        {
            throw Died(w, died, name, input);
        }
    }

    /// <summary>The worker died (or missed its deadline) in a call of this instance: the fault that call throws,
    /// with <paramref name="input"/> handed back; the instance is recreated at its next call.</summary>
    private PluginCrashedException Died(WorkerProcess w, WorkerDiedException died, string name, RecordBatch input)
    {
        _worker = null;
        _library.Return(w);
        bool limit = _restarts.Died(died);
        var fault = Crashed(name, died, Copy(input), limit);
        _pendingCause = fault;
        _logger.LogWarning("{Message}", fault.Message);
        return fault;
    }

    // ---- a stage of a chain (IsolatedChain): the chain holds CallLock of every stage, in order, then the gate ----

    /// <summary>Serializes this instance's calls (held by a chain around its request).</summary>
    internal Lock CallLock => _lock;

    /// <summary>The instance's library (stages chain only within one library's shared worker).</summary>
    internal IsolatedLibrary Library => _library;

    /// <summary>The instance id in its worker (valid after <see cref="LiveWorker"/>).</summary>
    internal uint RemoteId => _remote;

    /// <summary>The live worker for a chained call (recreating the instance first if its worker died).</summary>
    internal WorkerProcess LiveWorker(string op, RecordBatch input) => Live(op, input);

    /// <summary>A chained call of this stage returned (whatever its result): the worker lives.</summary>
    internal void ChainedCallReturned() => _restarts.Succeeded();

    /// <summary>The worker died while this stage ran in a chain: the chain's fault (its input handed back).</summary>
    internal PluginCrashedException ChainedCallDied(WorkerProcess w, WorkerDiedException died, string op, RecordBatch chainInput) =>
        Died(w, died, op, chainInput);

    /// <summary>The failure the worker reported for this stage's call in a chain.</summary>
    internal PluginCallException ChainedCallFailed(NpwControl* c, string op) => Failure(c, op);

    /// <summary>The batch into the input memfd (for a chain as for a single call).</summary>
    internal static void WriteBatch(WorkerProcess w, RecordBatch input) => WriteInput(w, input);

    /// <summary>The worker for the next call: the live one, or a new instance in a new (or the restarted shared)
    /// worker, after the policy's backoff. Throws the fault again when the instance gave up.</summary>
    private WorkerProcess Live(string op, RecordBatch input)
    {
        if (_disposed) throw new ObjectDisposedException(Owner?.ToString() ?? _plugin.Id);
        if (_worker is { IsDead: false } live) return live;
        if (_restarts is { GaveUp: true, LastDeath: { } death }) throw Crashed(op, death, Copy(input), limit: true);
        if (_worker is { } dead)
        {
            // Died between calls (per library: another instance's call crashed the shared worker): our state is gone.
            var between = new WorkerDiedException(dead.Exit ?? default, dead.LastWords, null);
            _pendingCause = Crashed(op, between, [], limit: false);
            _library.Return(dead);
            _worker = null;
            if (_restarts.Died(between)) throw Crashed(op, between, Copy(input), limit: true);
        }
        var backoff = _restarts.Backoff;
        if (backoff > TimeSpan.Zero) Thread.Sleep(backoff);
        WorkerProcess w;
        try
        {
            w = _library.Acquire();
        }
        catch (WorkerDiedException died)
        {
            throw RestartFailed(op, died, input);
        }
        try
        {
            _remote = CreateRemote(w);
        }
        catch (WorkerDiedException died)
        {
            throw RestartFailed(op, died, input);
        }
        catch
        {
            _library.Return(w);
            throw;
        }
        _worker = w;
        int restart = _restarts.Recreated();
        var cause = _pendingCause ?? Crashed(op, _restarts.LastDeath ?? new WorkerDiedException(default, null, null), [], false);
        _pendingCause = null;
        _logger.LogWarning("{File}: plugin '{Plugin}': instance recreated in worker {Pid} (restart {Restart}, {Consecutive} in a row)",
            _library.FilePath, _plugin.Id, w.Pid, restart, _restarts.Consecutive);
        if (Owner is { } owner)
            OnRestarted?.Invoke(new PluginRestartedEventArgs(owner, restart, _restarts.Consecutive, cause, backoff));
        return w;
    }

    private PluginCrashedException RestartFailed(string op, WorkerDiedException died, RecordBatch input)
    {
        _worker = null;
        var fault = Crashed(op, died, Copy(input), _restarts.Died(died));
        _pendingCause = fault;
        return fault;
    }

    /// <summary>create in the worker: id NUL config as the argument; the instance id as the reply.</summary>
    private uint CreateRemote(WorkerProcess w)
    {
        lock (w.Gate)
        {
            var id = Encoding.UTF8.GetBytes(_plugin.Id);
            var config = Encoding.UTF8.GetBytes(_config);
            w.Input.Grow(id.Length + 1 + config.Length);
            var dst = new Span<byte>(w.Input.Base, id.Length + 1 + config.Length);
            id.CopyTo(dst);
            dst[id.Length] = 0;
            config.CopyTo(dst[(id.Length + 1)..]);
            var c = w.Control;
            c->arg_len = (ulong)dst.Length;
            w.Call(WorkerProtocol.OpCreate, _library.Options.CallTimeout);
            if (c->result != WorkerProtocol.ResultOk) throw Failure(c, "create");
            return (uint)c->value;
        }
    }

    private PluginCrashedException Crashed(string op, WorkerDiedException died, IReadOnlyList<byte[]> unprocessed, bool limit) =>
        died.MissedDeadline is { } deadline
            ? new PluginTimeoutException(op, _plugin.Id, _library.FilePath, deadline, died.Exit, unprocessed, limit)
            : new PluginCrashedException(op, _plugin.Id, _library.FilePath, died.Exit, unprocessed, limit, died.LastWords);

    /// <summary>A failing status or a protocol violation the worker's np_c_host reported, as the in-process host
    /// reports it: the plugin's own words apart from the C host's prefix.</summary>
    private PluginCallException Failure(NpwControl* c, string op)
    {
        if (c->result != WorkerProtocol.ResultFailed)
            return new PluginCallException(op, NpAbi.NP_ERR_STATE, _plugin.Id, _library.FilePath,
                IsolatedLibrary.WorkerMessage(c));
        int len = (int)Math.Min(c->message_len, (uint)WorkerProtocol.MessageMax - 1);
        int at = (int)Math.Min(c->plugin_text_at, (uint)len);
        string whole = Encoding.UTF8.GetString(c->message, len);
        if (c->nph_error == WorkerProtocol.NphProtocol)
        {
            int colon = whole.IndexOf(" broke the emitter protocol: ", StringComparison.Ordinal);
            var what = colon >= 0 ? whole[(colon + " broke the emitter protocol: ".Length)..] : whole;
            return new PluginCallException(op, c->status, _plugin.Id, _library.FilePath,
                $"{what}; the output of this call was discarded", protocolViolation: true);
        }
        string words = at > 0 ? Encoding.UTF8.GetString(c->message + at, len - at) : whole;
        return new PluginCallException(op, c->status, _plugin.Id, _library.FilePath, words, c->detail_code);
    }

    private static byte[][] Copy(RecordBatch batch)
    {
        var records = new byte[batch.Count][];
        for (int i = 0; i < records.Length; i++) records[i] = batch[i].ToArray();
        return records;
    }

    // ---- np.state/1 (ABI 1.3): SAVE_STATE / RESTORE_STATE, one request each (npw_state.c) ----------------------

    /// <summary>True when the plugin offers np.state/1 at the agreed minor: the worker's np_c_host validated its
    /// vtable at LOAD, and the library info lists the interface.</summary>
    public bool HasState =>
        _library.Info.Agreed.Minor >= Loading.DescriptorValidator.StateMinor &&
        _plugin.Interfaces.Contains(NpAbi.NP_STATE_ID_STRING);

    /// <summary>The instance's state as the plugin saves it. After a worker restart the instance is a new one
    /// (recreated with its config), so this saves its fresh state: a restart carries nothing over.</summary>
    public byte[] SaveState()
    {
        lock (_lock)
        {
            var w = Live("save", RecordBatch.Empty);
            lock (w.Gate)
            {
                var c = w.Control;
                c->instance = _remote;
                Send(w, WorkerProtocol.OpSaveState, "save", RecordBatch.Empty);
                if (c->result != WorkerProtocol.ResultOk) throw Failure(c, "save");
                _restarts.Succeeded();
                ulong size = (ulong)w.Output.Size, at = c->output_data_at, used = c->output_data_used;
                if (at > size || used > size - at || used > (ulong)Array.MaxLength)
                    throw new PluginCallException("save", NpAbi.NP_ERR_STATE, _plugin.Id, _library.FilePath,
                        "the worker described a saved state outside its output memfd; the state was discarded",
                        protocolViolation: true);
                return new ReadOnlySpan<byte>(w.Output.Base + at, (int)used).ToArray();
            }
        }
    }

    /// <summary>Restores <paramref name="state"/> (copied into the input memfd) into the instance.</summary>
    public void RestoreState(ReadOnlySpan<byte> state)
    {
        lock (_lock)
        {
            var w = Live("restore", RecordBatch.Empty);
            lock (w.Gate)
            {
                w.Input.Grow(state.Length);
                state.CopyTo(new Span<byte>(w.Input.Base, state.Length));
                var c = w.Control;
                c->instance = _remote;
                c->arg_len = (ulong)state.Length;
                Send(w, WorkerProtocol.OpRestoreState, "restore", RecordBatch.Empty);
                if (c->result != WorkerProtocol.ResultOk) throw Failure(c, "restore");
                _restarts.Succeeded();
            }
        }
    }
}
