using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Hosting.Diagnostics;
using NativePlugins.Hosting.Instances;
using NativePlugins.Hosting.Interfaces;
using NativePlugins.Hosting.Isolation;
using NativePlugins.Hosting.Loading;
using NativePlugins.Hosting.Threading;
using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>
/// One instance of a plugin through a host-registered interface (interop/interfaces.md section 4): the base of the
/// typed wrappers <c>nplug bindgen</c> generates (<c>AcmeGreeterV1</c>), made by
/// <see cref="PluginLibrary.Create{T}"/>. It owns the instance from <c>@create</c> to <c>@destroy</c>, with its own
/// <c>np_host_t</c> (logger named after the plugin, <see cref="Allocations"/>), keeps its library loaded (rule H6),
/// serializes the calls on an instance of an <c>NP_THREADING_SINGLE</c> plugin (rule H4), destroys exactly once
/// after the last call in flight (the same <c>CallGate</c> as <see cref="TransformInstance"/>), turns a failing
/// status into <see cref="PluginCallException"/> with the plugin's message and, after <c>NP_ERR_PANIC</c>, refuses
/// every further call (the instance is poisoned, rule P7).
/// </summary>
/// <remarks>The protected members are the API of generated code: one call is <c>EnterCall</c>, the function pointer
/// call, <c>ExitCall</c>, then <c>Check</c>. They are hidden from completion; a hand-written wrapper may use them
/// the same way.</remarks>
public abstract unsafe class NativeInstance : IDisposable
{
    /// <summary>Bytes of the error buffer a wrapper allocates; the plugin is told a little less (rule H5: at least 256),
    /// the rest is a guard that shows a write past the capacity (rule P5).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected const int ErrorCapacity = PluginErrorText.BufferBytes;

    /// <summary>Bytes of an <c>np_out_bytes_t</c> buffer on the caller's stack (the plugin is told a little less: the
    /// rest is a guard); bigger output moves to the heap.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected const int OutputInlineCapacity = NativeOutput.InlineBytes;

    private readonly SafeHandle _handle; // InstanceHandle in-process, IsolatedInstanceHandle in a worker
    private readonly bool _isolated;
    private readonly ValidatedInterface _vt;
    private readonly CallGate _gate;
    private readonly HostMetrics _metrics;
    private int _poisoned;

    /// <summary>Takes over the instance <paramref name="state"/> holds (once: a second wrapper of the same state is
    /// refused).</summary>
    protected NativeInstance(NativeInstanceState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Take();
        Library = state.Library;
        Plugin = state.Plugin;
        Config = state.Config;
        Allocations = state.Counters;
        Interface = new NativeInterface(state.Library, state.Plugin, state.VTable, this);
        _vt = state.VTable;
        _handle = state.Handle;
        _isolated = state.Handle is IsolatedInstanceHandle;
        _gate = new CallGate(serialize: Plugin.Threading == PluginThreading.Single, destroy: _handle.Dispose);
        _metrics = state.Library.Host.Metrics;
        if (Isolated is { } remote)
            remote.OnRestarted = (restart, consecutive, cause, backoff) =>
                Restarted?.Invoke(this, new NativeInstanceRestartedEventArgs(this, restart, consecutive, cause, backoff));
    }

    /// <summary>Raised (on the calling thread, before the call proceeds) each time an isolated instance was
    /// recreated after its worker crashed, exited or missed a deadline (<see cref="IsolationOptions.Restart"/>), as
    /// <see cref="TransformInstance.Restarted"/> is for transforms. Never raised for an in-process instance. An
    /// exception the handler throws ends that call (it is thrown by the call, after the instance was recreated).</summary>
    public event EventHandler<NativeInstanceRestartedEventArgs>? Restarted;

    /// <summary>The plugin this is an instance of.</summary>
    public PluginInfo Plugin { get; }

    /// <summary>The library the plugin came from (kept loaded while this instance lives).</summary>
    public PluginLibrary Library { get; }

    /// <summary>The config string the instance was created with.</summary>
    public string Config { get; }

    /// <summary>The validated vtable the instance is called through.</summary>
    public NativeInterface Interface { get; }

    // No instance property named Contract: a generated wrapper has the static INativeInstance<T>.Contract.
    private NativeInterfaceContract InterfaceContract => _vt.Registered.Contract;

    /// <summary>Host-allocator counters of this instance (rule P4: zero live allocations after destroy).</summary>
    public AllocationCounters Allocations { get; }

    /// <summary>True after a call returned NP_ERR_PANIC (rule P7) or wrote past a buffer the host gave it: the host
    /// makes no further call but destroy.</summary>
    public bool IsPoisoned => Volatile.Read(ref _poisoned) != 0;

    /// <summary>True once disposed (destroy itself waits for calls still in flight).</summary>
    public bool IsDisposed => _gate.IsDisposed;

    /// <summary>The np_host_t this instance was created with (tests log through it).</summary>
    internal np_host_t* HostTable => _handle is InstanceHandle h ? h.Table.Pointer : null;

    /// <summary>How often the instance was recreated after its worker process crashed, exited or missed its deadline
    /// (<see cref="IsolationOptions.Restart"/>); always 0 in-process.</summary>
    public int RestartCount => Isolated?.Restarts ?? 0;

    /// <summary>The transport of an instance in a worker process, or null in-process (tests, diagnostics).</summary>
    internal IsolatedInstance? Isolated => (_handle as IsolatedInstanceHandle)?.Remote;

    /// <summary>Destroys the instance: right away when no call is in flight, otherwise as soon as the last call in
    /// flight returns. Calls that start afterwards throw <see cref="ObjectDisposedException"/>. Idempotent.</summary>
    public void Dispose()
    {
        _gate.Dispose(OwnerBias.CurrentThread);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Plugin.Id}: {InterfaceContract.Id} ({(Config.Length == 0 ? "defaults" : Config)})";

    // ---- the API of generated wrappers ----

    /// <summary>The instance pointer the plugin's functions take first.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected void* InstancePointer => (void*)_handle.DangerousGetHandle();

    /// <summary>The host's copy of the vtable (see <see cref="NativeInterface.VTable"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected void* VTablePointer => _vt.VTable;

    /// <summary>The function pointer at <paramref name="offset"/> of the vtable; 0 when the plugin does not provide
    /// it (optional and NULL, or beyond its struct_size or the read minor).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected nint Function(uint offset) => _vt.FunctionAt(offset);

    /// <summary>Enters a call on the instance. Throws <see cref="ObjectDisposedException"/> once disposed and
    /// <see cref="PluginCallException"/> (NP_ERR_STATE) once poisoned; pair every successful enter with
    /// <see cref="ExitCall"/>. From the owner thread it is a few plain loads and stores.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected NativeCall EnterCall(string function)
    {
        if (Volatile.Read(ref _poisoned) != 0) ThrowPoisoned(function);
        int thread = OwnerBias.CurrentThread;
        var path = _gate.Enter(thread);
        if (path < CallPath.Owner)
        {
            if (path == CallPath.Disposed) ThrowDisposed();
            ThrowPoisoned(function); // not reached: this gate is never poisoned (_poisoned is tested above)
        }
        // One test of a field or two when nobody listens; the tags are made only for a listener.
        if (_metrics.Calls.Enabled) _metrics.RecordCall(Plugin.Id, InterfaceContract.Id, function);
        return new NativeCall(thread, path);
    }

    /// <summary>Leaves a call entered with <see cref="EnterCall"/>. For an instance in a worker process it then throws
    /// what the call's forwarder kept (<see cref="NativeProxy.Invoke"/>: the worker crashed or hung, or the plugin broke
    /// a rule), after the gate is left, so the typed error reaches the caller and the gate stays balanced.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void ExitCall(NativeCall call)
    {
        _gate.Exit(call.Thread, call.Path);
        if (_isolated) IsolatedInstance.ThrowPendingFault();
    }

    /// <summary>True when the instance lives in a worker process: its vtable is the generated forwarders, which
    /// generated code must call without <c>SuppressGCTransition</c> (they are managed code).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected bool IsIsolated => _isolated;

    /// <summary>Prepares the caller-owned <c>np_error_t</c> over <paramref name="buffer"/>
    /// (<see cref="ErrorCapacity"/> bytes, usually stackalloc'ed).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected static void InitError(np_error_t* error, byte* buffer) => PluginErrorText.Init(error, buffer);

    /// <summary>Raises <see cref="PluginCallException"/> for a failing status of <paramref name="function"/>, with the
    /// message the plugin wrote into <paramref name="buffer"/>; NP_ERR_PANIC poisons the instance first.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void Check(int status, string function, np_error_t* error, byte* buffer)
    {
        // The guard is checked on success too: an overrun is a violation whatever the status.
        if (status != NpAbi.NP_OK || !PluginErrorText.GuardIntact(buffer)) Fail(status, function, error, buffer);
    }

    /// <summary><see cref="Check(int, string, np_error_t*, byte*)"/> for a function without an error buffer.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected void Check(int status, string function)
    {
        if (status != NpAbi.NP_OK) Fail(status, function, $"{function} has no error buffer; the plugin returned a failing status", 0);
    }

    /// <summary>Prepares an <c>np_out_bytes_t</c> over <paramref name="inline"/> (<see cref="OutputInlineCapacity"/>
    /// bytes on the caller's stack) that grows to the heap through the host's reserve when the output outgrows it.
    /// Release it with <see cref="ReleaseOutput"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected static void InitOutput(np_out_bytes_t* output, byte* inline) =>
        NativeOutput.Init(output, inline, OutputInlineCapacity);

    /// <summary>Checks a call that wrote to <paramref name="output"/>: the <c>np_out_bytes_t</c> protocol first (a
    /// broken one is a protocol violation, rule P10), then the status as <see cref="Check(int, string, np_error_t*, byte*)"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected void CheckOutput(int status, string function, np_error_t* error, byte* buffer, np_out_bytes_t* output,
        byte* inline)
    {
        if (NativeOutput.Violation(output, inline, out bool overran) is { } violation)
        {
            _metrics.RecordFailure(Plugin.Id, InterfaceContract.Id, function, PluginTelemetry.ProtocolViolationErrorType);
            if (overran) Poison("wrote past the end of its output buffer (its memory is suspect)");
            throw new PluginCallException(function, status, Plugin.Id, Plugin.FilePath,
                violation + " (rule P10); the output of this call was discarded" + (overran ? "; the instance is poisoned" : ""),
                protocolViolation: true);
        }
        Check(status, function, error, buffer);
    }

    /// <summary>What the plugin appended to <paramref name="output"/>, as bytes.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected static byte[] OutputBytes(np_out_bytes_t* output) => NativeOutput.ToArray(output);

    /// <summary>What the plugin appended to <paramref name="output"/>, as UTF-8 text.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected static string OutputText(np_out_bytes_t* output) => NativeOutput.ToText(output);

    /// <summary>Frees the heap memory <paramref name="output"/> grew into, if any (call it in a finally).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected static void ReleaseOutput(np_out_bytes_t* output) => NativeOutput.Release(output);

    /// <summary>UTF-8 bytes of a text argument.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected static byte[] Utf8(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>An <c>np_str_t</c> over pinned bytes (NULL for none).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected static np_str_t Str(byte* ptr, int length) => new() { ptr = length == 0 ? null : ptr, len = (ulong)length };

    /// <summary>An <c>np_bytes_t</c> over pinned bytes (NULL for none).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected static np_bytes_t Bytes(byte* ptr, int length) => new() { ptr = length == 0 ? null : ptr, len = (ulong)length };

    /// <summary>The exception for calling an optional function the plugin does not provide.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.NoInlining)]
    protected NotSupportedException Missing(string function) =>
        new($"{Plugin.FilePath}: plugin '{Plugin.Id}' does not provide {InterfaceContract.VTable.Name}.{function} " +
            $"({InterfaceContract.Id} makes it optional; check Has{Pascal(function)} first)");

    private static string Pascal(string name) =>
        string.Concat(name.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Fail(int status, string function, string message, int code)
    {
        _metrics.RecordFailure(Plugin.Id, InterfaceContract.Id, function, NpStatus.Name(status));
        if (status == NpAbi.NP_ERR_PANIC) Poison("returned NP_ERR_PANIC (rule P7)");
        throw new PluginCallException(function, status, Plugin.Id, Plugin.FilePath, message, code);
    }

    /// <summary>A failing status or a broken error buffer (rule P5: a write past it poisons the instance; a length
    /// beyond it is a protocol violation).</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Fail(int status, string function, np_error_t* error, byte* buffer)
    {
        var broken = PluginErrorText.Violation(status, *error, buffer, out bool overran);
        if (broken is null) Fail(status, function, PluginErrorText.Read(*error, buffer), error->code);
        _metrics.RecordFailure(Plugin.Id, InterfaceContract.Id, function, PluginTelemetry.ProtocolViolationErrorType);
        if (overran) Poison("wrote past the end of the error buffer (its memory is suspect)");
        throw new PluginCallException(function, status, Plugin.Id, Plugin.FilePath,
            $"it {PluginErrorText.Describe(broken, status, *error, buffer)}" + (overran ? "; the instance is poisoned" : ""),
            error->code, protocolViolation: true);
    }

    private string _poisonReason = "";

    private void Poison(string reason)
    {
        _poisonReason = reason;
        Volatile.Write(ref _poisoned, 1);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowPoisoned(string function) =>
        throw new PluginCallException(function, NpAbi.NP_ERR_STATE, Plugin.Id, Plugin.FilePath,
            $"the instance is poisoned: an earlier call {_poisonReason}; dispose it and create another");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowDisposed() => throw new ObjectDisposedException(ToString());
}
