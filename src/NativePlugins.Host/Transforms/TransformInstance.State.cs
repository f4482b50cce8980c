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
    /// <see cref="SaveState"/> and <see cref="RestoreState"/> can be called. Always false for an isolated instance
    /// (the worker protocol carries no state calls yet) and for a library that agreed on ABI 1.2 or older.</summary>
    public bool SupportsState => _isolated is null && _vt.State is not null;

    /// <summary>Saves the instance's whole state (what it holds back and counts) as bytes in the plugin's own
    /// format. The instance is not changed: it keeps running as if this had not been called. Call it between
    /// batches (a call that overlaps another on a single-threaded instance is refused, rule H4).</summary>
    /// <exception cref="NotSupportedException">The plugin offers no <c>np.state/1</c> (<see cref="SupportsState"/>).</exception>
    /// <exception cref="PluginCallException">save failed, or broke the np_out_bytes_t protocol (the instance is then
    /// poisoned when it wrote past the buffer).</exception>
    public byte[] SaveState()
    {
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
    public void RestoreState(ReadOnlySpan<byte> state)
    {
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

    private StateVTable RequireState(string operation)
    {
        if (_isolated is not null)
            throw new NotSupportedException(
                $"{Plugin.Id}: {operation}: an isolated instance cannot save or restore its state (np.state/1 runs in-process only)");
        return _vt.State ?? throw new NotSupportedException(
            $"{Plugin.Id}: {operation}: the plugin offers no {NpAbi.NP_STATE_ID_STRING} (ABI 1.3), so its state cannot be saved or restored");
    }
}
