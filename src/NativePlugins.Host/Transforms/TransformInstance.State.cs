using NativePlugins.Hosting.Diagnostics;
using NativePlugins.Hosting.Instances;
using NativePlugins.Hosting.Interfaces;
using NativePlugins.Hosting.Loading;
using NativePlugins.Hosting.Threading;
using NativePlugins.Hosting.Transforms;
using NativePlugins.Interop;

namespace NativePlugins.Hosting;

// np.state/1 (ABI 1.3, interop/include/nplug/ext/np_state.h): an instance's state as bytes, for hot reload
// (Pipeline.Succession.cs) and for hosts that checkpoint instances themselves. Not a hot path: one call per
// hand-over, through the vtable's function pointer, under the same call gate as process and flush.
public sealed unsafe partial class TransformInstance
{
    /// <summary>True when the plugin offers <c>np.state/1</c> (ABI 1.3) for this instance, so that
    /// <see cref="SaveState"/> and <see cref="RestoreState"/> can be called; in-process and isolated alike (an
    /// isolated instance's calls are one worker request each). Always false for a library that agreed on ABI 1.2 or
    /// older.</summary>
    public bool SupportsState => _isolated is not null ? _isolated.HasState : _vt.State is not null;

    /// <summary>Saves the instance's whole state (what it holds back and counts) as bytes in the plugin's own
    /// format. The instance is not changed: it keeps running as if this had not been called. Call it between
    /// batches (a call that overlaps another on a single-threaded instance is refused, rule H4).</summary>
    /// <exception cref="NotSupportedException">The plugin offers no <c>np.state/1</c> (<see cref="SupportsState"/>).</exception>
    /// <exception cref="PluginCallException">save failed, or broke the np_out_bytes_t protocol (the instance is then
    /// poisoned when it wrote past the buffer).</exception>
    /// <exception cref="PluginCrashedException">An isolated instance's worker died or missed its deadline in save;
    /// the instance is recreated, without its state, at its next call.</exception>
    public byte[] SaveState()
    {
        if (_isolated is not null) return (byte[])CallIsolatedState("save", default)!;
        var state = RequireState("save");
        int thread = OwnerBias.CurrentThread;
        byte* message = stackalloc byte[PluginErrorText.BufferBytes];
        np_error_t error;
        PluginErrorText.Init(&error, message);
        byte* inline = stackalloc byte[NativeOutput.InlineBytes];
        np_out_bytes_t output;
        NativeOutput.Init(&output, inline, NativeOutput.InlineBytes);
        try
        {
            var path = _gate.Enter(thread);
            if (path < CallPath.Owner) ThrowRefused(path, "save");
            int status;
            try
            {
                status = state.V.save(_handle.Pointer, &output, &error);
            }
            finally
            {
                _gate.Exit(thread, path);
            }
            var violation = NativeOutput.Violation(&output, inline, out bool overran);
            if (violation is not null || status != NpAbi.NP_OK || !PluginErrorText.GuardIntact(message))
                Fail("save", status, violation, overran, error, message);
            return NativeOutput.ToArray(&output);
        }
        finally
        {
            NativeOutput.Release(&output);
        }
    }

    /// <summary>Replaces the instance's state with bytes <see cref="SaveState"/> returned, from this plugin (another
    /// version of it included). Call it right after creating the instance, before its first batch; the instance then
    /// continues where the saved one stood (its next <see cref="Flush"/> emits what the saved one held back). The
    /// bytes are read during the call only.</summary>
    /// <exception cref="NotSupportedException">The plugin offers no <c>np.state/1</c>.</exception>
    /// <exception cref="PluginCallException">The plugin refused the bytes (<c>NP_ERR_INPUT</c>: a format it does not
    /// understand; <c>NP_ERR_STATE</c>: the instance has a stream open); the instance keeps the state it had.</exception>
    /// <exception cref="PluginCrashedException">An isolated instance's worker died or missed its deadline in restore.</exception>
    public void RestoreState(ReadOnlySpan<byte> state)
    {
        if (_isolated is not null)
        {
            CallIsolatedState("restore", state);
            return;
        }
        var vt = RequireState("restore");
        int thread = OwnerBias.CurrentThread;
        byte* message = stackalloc byte[PluginErrorText.BufferBytes];
        np_error_t error;
        PluginErrorText.Init(&error, message);
        var path = _gate.Enter(thread);
        if (path < CallPath.Owner) ThrowRefused(path, "restore");
        int status;
        try
        {
            fixed (byte* bytes = state)
            {
                np_bytes_t blob;
                blob.ptr = bytes; // NULL for an empty span: {NULL, 0} is the empty blob
                blob.len = (ulong)state.Length;
                status = vt.V.restore(_handle.Pointer, blob, &error);
            }
        }
        finally
        {
            _gate.Exit(thread, path);
        }
        if (status != NpAbi.NP_OK || !PluginErrorText.GuardIntact(message))
            Fail("restore", status, null, false, error, message);
    }

    /// <summary>save or restore of an isolated instance: through the call gate (so Dispose waits for it), then one
    /// request to the worker (IsolatedTransform). Returns the saved bytes for save, null for restore.</summary>
    private byte[]? CallIsolatedState(string operation, ReadOnlySpan<byte> state)
    {
        if (!_isolated!.HasState) throw NoState(operation);
        int thread = OwnerBias.CurrentThread;
        var path = _gate.Enter(thread);
        if (path < CallPath.Owner) ThrowRefused(path, operation);
        try
        {
            if (operation == "save") return _isolated.SaveState();
            _isolated.RestoreState(state);
            return null;
        }
        catch (PluginCallException e)
        {
            _metrics.RecordFailure(Plugin.Id, NpAbi.NP_STATE_ID_STRING, operation,
                e is PluginCrashedException ? "crashed" : e.IsProtocolViolation ? PluginTelemetry.ProtocolViolationErrorType : e.StatusName);
            throw;
        }
        finally
        {
            _gate.Exit(thread, path);
        }
    }

    private StateVTable RequireState(string operation) => _vt.State ?? throw NoState(operation);

    private NotSupportedException NoState(string operation) =>
        new($"{Plugin.Id}: {operation}: the plugin offers no {NpAbi.NP_STATE_ID_STRING} (ABI 1.3), so its state cannot be saved or restored");
}
