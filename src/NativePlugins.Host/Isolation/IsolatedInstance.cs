using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Isolation;

/// <summary>
/// The transport of an isolated instance of a host's own interface (a <c>nplug bindgen</c> wrapper with a
/// <see cref="NativeProxy"/>): the instance lives in a worker (<see cref="IsolatedLibrary"/>) and each call is one
/// request, whatever its arguments. The arguments go into the input memfd as slots, with the bytes of every
/// <c>np_str_t</c>/<c>np_bytes_t</c> after them (one copy); the worker's generic stub calls the plugin with libffi
/// from the interface's signature description; an <c>np_out_bytes_t</c> result is written by the plugin into the
/// output memfd and copied once into the caller's buffer, the status, an <c>out_*</c> integer and the
/// <c>np_error_t</c> text come back in the control block. A death or a missed deadline is the call's
/// <see cref="PluginCrashedException"/> / <see cref="PluginTimeoutException"/>, and the next call recreates the
/// instance with its config under the <see cref="RestartPolicy"/>, as for <c>np.transform/1</c>. Calls on one
/// instance are serialized here (and all calls into one worker by its gate).
/// </summary>
internal sealed unsafe class IsolatedInstance
{
    [ThreadStatic] private static Exception? t_pendingFault;

    private readonly Lock _lock = new();
    private readonly IsolatedLibrary _library;
    private readonly PluginInfo _plugin;
    private readonly NativeProxy _proxy;
    private readonly string _config;
    private readonly ILogger _logger;
    private WorkerProcess? _worker;
    private uint _remote;
    private readonly InstanceRestarts _restarts;
    private PluginCallException? _pendingCause; // the fault the next recreation reports (OnRestarted)
    private bool _disposed;

    private IsolatedInstance(IsolatedLibrary library, PluginInfo plugin, NativeProxy proxy, string config, ILogger logger)
    {
        _library = library;
        _plugin = plugin;
        _proxy = proxy;
        _config = config;
        _logger = logger;
        _restarts = new InstanceRestarts(library.Options.Restart);
    }

    /// <summary>Bit i set when the plugin provides function i of the contract (as the first worker reported).</summary>
    public ulong Provided { get; private set; }

    /// <summary>The plugin's vtable struct_size (as the first worker reported).</summary>
    public uint StructSize { get; private set; }

    /// <summary>Restarts so far.</summary>
    public int Restarts => _restarts.Total;

    /// <summary>Set by the owning <see cref="NativeInstance"/>: raises its Restarted event (restart, consecutive,
    /// cause, backoff), on the calling thread, after the instance was recreated and before the call proceeds.</summary>
    public Action<int, int, PluginCallException, TimeSpan>? OnRestarted { get; set; }

    /// <summary>The worker's pid now (0 when none is live): for tests and diagnostics.</summary>
    public int WorkerPid => _worker is { IsDead: false } w ? w.Pid : 0;

    /// <summary>Creates the instance in a worker. Throws <see cref="PluginCallException"/> when create fails or the
    /// plugin does not provide a required function, <see cref="PluginCrashedException"/> when create crashes it.</summary>
    public static IsolatedInstance Create(IsolatedLibrary library, PluginInfo plugin, NativeProxy proxy, string config,
        ILogger logger)
    {
        library.AddReference();
        var t = new IsolatedInstance(library, plugin, proxy, config, logger);
        try
        {
            WorkerProcess worker;
            try
            {
                worker = library.Acquire();
            }
            catch (WorkerDiedException died)
            {
                throw t.Crashed(t.CreateName, died, limit: false);
            }
            try
            {
                t._remote = t.CreateRemote(worker, t.CreateName);
            }
            catch (WorkerDiedException died)
            {
                library.Return(worker);
                throw t.Crashed(t.CreateName, died, limit: false); // create itself crashed or hung the worker
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

    private string CreateName => _proxy.Contract.Create?.Name ?? "create";

    /// <summary>The fault a forwarder kept for the wrapper (<see cref="NativeProxy.Invoke"/>), on this thread.</summary>
    public static void SetPendingFault(Exception fault) => t_pendingFault = fault;

    /// <summary>A new call starts on this thread: a fault nobody threw (a raw vtable caller's) is forgotten.</summary>
    public static void ClearPendingFault() => t_pendingFault = null;

    /// <summary>Throws the fault of the call that just returned on this thread, if it had one.</summary>
    public static void ThrowPendingFault()
    {
        var fault = t_pendingFault;
        if (fault is null) return;
        t_pendingFault = null;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(fault);
    }

    /// <summary>One call of function <paramref name="index"/> of the contract, its parameters (after the instance) in
    /// <paramref name="slots"/> as the forwarder packed them. Returns the function's return value's bits.</summary>
    public ulong Call(int index, ulong* slots)
    {
        var fn = _proxy.Functions[index];
        lock (_lock)
        {
            var w = Live(fn.Name);
            lock (w.Gate)
            {
                WriteArguments(w, fn, slots);
                var c = w.Control;
                c->instance = _remote;
                c->request_value = (ulong)index;
                Send(w, WorkerProtocol.OpCall, fn.Name);
                if (c->result != WorkerProtocol.ResultOk) throw Failure(c, fn.Name);
                _restarts.Succeeded();
                return ReadResults(w, fn, slots);
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
                            w.Call(WorkerProtocol.OpCallDestroy, _library.Options.CallTimeout);
                        }
                        catch (Exception e) when (e is WorkerDiedException or ObjectDisposedException or IOException)
                        {
                            // destroy crashed the worker (or it is gone): the instance is gone either way
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

    /// <summary>The value slots (a pair as its offset in the input memfd and its length), then the pairs' bytes.</summary>
    private static void WriteArguments(WorkerProcess w, ProxyFunction fn, ulong* slots)
    {
        int valueSlots = 0, read = 0;
        ulong bytes = 0;
        foreach (var p in fn.Parameters)
        {
            switch (p.Kind)
            {
                case ProxyKind.Self: continue;
                case ProxyKind.Pair:
                    bytes += slots[read + 1];
                    valueSlots += 2;
                    read += 2;
                    break;
                case ProxyKind.OutBytes or ProxyKind.OutScalar or ProxyKind.Error:
                    read++;
                    break;
                default:
                    valueSlots++;
                    read++;
                    break;
            }
        }
        ulong dataAt = (ulong)valueSlots * sizeof(ulong);
        w.Input.Grow(checked((long)(dataAt + bytes)));
        var dst = (ulong*)w.Input.Base;
        ulong at = dataAt;
        int slot = 0;
        read = 0;
        foreach (var p in fn.Parameters)
        {
            switch (p.Kind)
            {
                case ProxyKind.Self: continue;
                case ProxyKind.Pair:
                    ulong len = slots[read + 1];
                    if (len > 0) Buffer.MemoryCopy((void*)slots[read], w.Input.Base + at, len, len);
                    dst[slot++] = at;
                    dst[slot++] = len;
                    at += len;
                    read += 2;
                    break;
                case ProxyKind.OutBytes or ProxyKind.OutScalar or ProxyKind.Error:
                    read++;
                    break;
                default:
                    dst[slot++] = slots[read++];
                    break;
            }
        }
        w.Control->input_count = (ulong)valueSlots;
    }

    /// <summary>The reply into the caller's out parameters: the out_* integer, the np_error_t text of a failing
    /// status, the np_out_bytes_t result (through the caller's reserve, once).</summary>
    private ulong ReadResults(WorkerProcess w, ProxyFunction fn, ulong* slots)
    {
        var c = w.Control;
        int status = fn.Return == ProxyKind.Status ? unchecked((int)(uint)c->value) : NpAbi.NP_OK;
        int read = 0;
        foreach (var p in fn.Parameters)
        {
            if (p.Kind == ProxyKind.Self) continue;
            if (p.Kind == ProxyKind.Pair)
            {
                read += 2;
                continue;
            }
            ulong arg = slots[read++];
            switch (p.Kind)
            {
                case ProxyKind.OutScalar when arg != 0:
                    ulong v = c->stats[0];
                    Buffer.MemoryCopy(&v, (void*)arg, 8, ProxySignature.Bytes(p.Pointee)); // little-endian: the low bytes
                    break;
                case ProxyKind.Error when arg != 0 && status != NpAbi.NP_OK:
                    var error = (np_error_t*)arg;
                    ulong n = Math.Min(c->message_len, error->capacity);
                    if (n > 0) Buffer.MemoryCopy(c->message, error->message, error->capacity, n);
                    error->len = n;
                    error->code = c->detail_code;
                    break;
                case ProxyKind.OutBytes when arg != 0 && c->output_data_used > 0:
                    AppendOutput((np_out_bytes_t*)arg, w.Output.Base + c->output_data_at, c->output_data_used, fn.Name);
                    break;
            }
        }
        return c->value;
    }

    private void AppendOutput(np_out_bytes_t* output, byte* data, ulong bytes, string function)
    {
        if (output->capacity < output->len || output->capacity - output->len < bytes)
        {
            int reserved = output->reserve == null ? NpAbi.NP_ERR_OUT_OF_MEMORY : output->reserve(output, bytes);
            if (reserved != NpAbi.NP_OK || output->capacity - output->len < bytes)
                throw new PluginCallException(function, NpAbi.NP_ERR_OUT_OF_MEMORY, _plugin.Id, _library.FilePath,
                    $"the host could not hold the {bytes} bytes of output the plugin wrote in its worker");
        }
        Buffer.MemoryCopy(data, output->data + output->len, output->capacity - output->len, bytes);
        output->len += bytes;
    }

    /// <summary>One request; a death or a missed deadline becomes the call's typed fault.</summary>
    private void Send(WorkerProcess w, uint op, string name)
    {
        try
        {
            w.Call(op, _library.Options.CallTimeout);
        }
        catch (WorkerDiedException died)
        {
            _worker = null;
            _library.Return(w);
            var fault = Crashed(name, died, _restarts.Died(died));
            _pendingCause = fault;
            _logger.LogWarning("{Message}", fault.Message);
            throw fault;
        }
    }

    /// <summary>The worker for the next call: the live one, or the instance recreated in a new (or the restarted
    /// shared) worker after the policy's backoff. Throws the last fault again once the instance gave up.</summary>
    private WorkerProcess Live(string op)
    {
        if (_disposed) throw new ObjectDisposedException($"{_plugin.Id}: {_proxy.Contract.Id}");
        if (_worker is { IsDead: false } live) return live;
        if (_restarts is { GaveUp: true, LastDeath: { } death }) throw Crashed(op, death, limit: true);
        if (_worker is { } dead)
        {
            // Died between calls (per library: another instance's call crashed the shared worker): our state is gone.
            var between = new WorkerDiedException(dead.Exit ?? default, dead.LastWords, null);
            _pendingCause = Crashed(op, between, limit: false);
            _library.Return(dead);
            _worker = null;
            if (_restarts.Died(between)) throw Crashed(op, between, limit: true);
        }
        var backoff = _restarts.Backoff;
        if (backoff > TimeSpan.Zero) Thread.Sleep(backoff);
        WorkerProcess w;
        try
        {
            w = _library.Acquire();
            try
            {
                _remote = CreateRemote(w, CreateName);
            }
            catch
            {
                _library.Return(w);
                throw;
            }
        }
        catch (WorkerDiedException died)
        {
            _worker = null;
            var fault = Crashed(op, died, _restarts.Died(died));
            _pendingCause = fault;
            throw fault;
        }
        _worker = w;
        int restart = _restarts.Recreated();
        var cause = _pendingCause ?? Crashed(op, _restarts.LastDeath ?? new WorkerDiedException(default, null, null), limit: false);
        _pendingCause = null;
        _logger.LogWarning("{File}: plugin '{Plugin}': {Interface} instance recreated in worker {Pid} (restart {Restart}, {Consecutive} in a row)",
            _library.FilePath, _plugin.Id, _proxy.Contract.Id, w.Pid, restart, _restarts.Consecutive);
        OnRestarted?.Invoke(restart, _restarts.Consecutive, cause, backoff);
        return w;
    }

    /// <summary>CALL_CREATE: plugin id, interface id, config and the description as the argument; the instance id,
    /// the mask of provided functions and the vtable's struct_size as the reply.</summary>
    private uint CreateRemote(WorkerProcess w, string createName)
    {
        lock (w.Gate)
        {
            byte[][] parts =
            [
                Encoding.UTF8.GetBytes(_plugin.Id), Encoding.UTF8.GetBytes(_proxy.Contract.Id),
                Encoding.UTF8.GetBytes(_config), Encoding.UTF8.GetBytes(_proxy.Description),
            ];
            int total = parts.Sum(p => p.Length) + 3;
            w.Input.Grow(total);
            var dst = new Span<byte>(w.Input.Base, total);
            int at = 0;
            for (int i = 0; i < parts.Length; i++)
            {
                parts[i].CopyTo(dst[at..]);
                at += parts[i].Length;
                if (i < 3) dst[at++] = 0;
            }
            var c = w.Control;
            c->arg_len = (ulong)total;
            w.Call(WorkerProtocol.OpCallCreate, _library.Options.CallTimeout);
            if (c->result != WorkerProtocol.ResultOk) throw Failure(c, createName);
            var reply = (ulong*)(w.Output.Base + c->output_data_at);
            Provided = reply[0];
            StructSize = (uint)reply[1];
            return (uint)c->value;
        }
    }

    private PluginCrashedException Crashed(string op, WorkerDiedException died, bool limit) =>
        died.MissedDeadline is { } deadline
            ? new PluginTimeoutException(op, _plugin.Id, _library.FilePath, deadline, died.Exit, [], limit)
            : new PluginCrashedException(op, _plugin.Id, _library.FilePath, died.Exit, [], limit, died.LastWords);

    /// <summary>What the worker refused, as the in-process host reports it: a failing create with the plugin's own
    /// words, a broken rule as a protocol violation, anything else with the worker's message.</summary>
    private PluginCallException Failure(NpwControl* c, string op)
    {
        string message = IsolatedLibrary.WorkerMessage(c);
        if (c->result != WorkerProtocol.ResultFailed)
            return new PluginCallException(op, NpAbi.NP_ERR_STATE, _plugin.Id, _library.FilePath, message);
        return c->nph_error switch
        {
            WorkerProtocol.NphPlugin => new PluginCallException(op, c->status, _plugin.Id, _library.FilePath, message, c->detail_code),
            WorkerProtocol.NphProtocol => new PluginCallException(op, c->status == 0 ? NpAbi.NP_ERR_PLUGIN : c->status, _plugin.Id,
                _library.FilePath, Unprefixed(message) + "; the output of this call was discarded", protocolViolation: true),
            _ => new PluginCallException(op, c->status == 0 ? NpAbi.NP_ERR_STATE : c->status, _plugin.Id, _library.FilePath,
                Unprefixed(message)),
        };
    }

    /// <summary>The worker names file and plugin first ("libx.so: plugin 'p': ..."); the exception does that itself.</summary>
    private string Unprefixed(string message)
    {
        var prefix = $"{Path.GetFileName(_library.FilePath)}: plugin '{_plugin.Id}': ";
        return message.StartsWith(prefix, StringComparison.Ordinal) ? message[prefix.Length..] : message;
    }

    /// <summary>The pointer a wrapper passes first (its <c>InstancePointer</c>): a native block holding a handle to
    /// this transport, which the forwarders resolve.</summary>
    public static nint AllocateSelf(IsolatedInstance instance)
    {
        var self = (nint*)NativeMemory.Alloc((nuint)sizeof(nint));
        *self = GCHandle.ToIntPtr(GCHandle.Alloc(instance));
        return (nint)self;
    }

    /// <summary>Frees what <see cref="AllocateSelf"/> made.</summary>
    public static void FreeSelf(nint self)
    {
        GCHandle.FromIntPtr(*(nint*)self).Free();
        NativeMemory.Free((void*)self);
    }
}
