using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// The <c>np.state/1</c> vtable (ABI 1.3) of every <see cref="IStatefulTransform"/> plugin: one static vtable for all
/// of them, since save and restore find the plugin object through the instance block the transform's create made.
/// Both run through <see cref="ExportBoundary"/> (no exception escapes the [UnmanagedCallersOnly] functions; anything
/// but a <see cref="PluginException"/> poisons the instance, rule P7) and refuse an overlapping call on a single-threaded
/// instance (S3).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class StateExports
{
    private static nint s_vtable; // np_state_v1_t*, 0 until built

    /// <summary>The shared vtable, built once (static native memory, never freed: the descriptors point at it).</summary>
    internal static np_state_v1_t* VTable()
    {
        if (Volatile.Read(ref s_vtable) is not 0 and var built) return (np_state_v1_t*)built;
        var vtable = (np_state_v1_t*)NativeMemory.AllocZeroed((nuint)sizeof(np_state_v1_t));
        vtable->struct_size = (uint)sizeof(np_state_v1_t);
        vtable->save = &Save;
        vtable->restore = &Restore;
        var won = Interlocked.CompareExchange(ref s_vtable, (nint)vtable, 0);
        if (won != 0) NativeMemory.Free(vtable); // another thread built it first
        return (np_state_v1_t*)Volatile.Read(ref s_vtable);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Save(void* instance, np_out_bytes_t* output, np_error_t* error)
    {
        var body = new StateCallBody(instance, output, default, isRestore: false);
        return ExportBoundary.Run(ref body, error);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Restore(void* instance, np_bytes_t state, np_error_t* error)
    {
        var body = new StateCallBody(instance, null, state, isRestore: true);
        return ExportBoundary.Run(ref body, error);
    }

    private struct StateCallBody(void* instance, np_out_bytes_t* output, np_bytes_t state, bool isRestore) : IExportBody
    {
        private InstanceBlock* _block;
        private ManagedInstance? _managed;
        private bool _entered;

        private readonly string Operation => isRestore ? "restore" : "save";

        public int Run(np_error_t* error)
        {
            _block = InstanceBlock.FromHandle(instance);
            if (_block is null)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT, InstanceExports.InvalidInstance(instance));
            ManagedInstance managed = _managed = _block->Target;
            if (managed.InterfaceId != NpAbi.NP_TRANSFORM_ID_STRING || managed.Plugin is not IStatefulTransform plugin)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_UNSUPPORTED,
                    $"{managed.Definition.Id}: {Operation}: this instance has no np.state/1 (not an IStatefulTransform transform)");
            if (_block->IsPoisoned)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_STATE, InstanceExports.PoisonedMessage(managed));
            if (!isRestore && OutBytes.Validate(output, "output") is { } outputProblem)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT, $"{managed.Definition.Id}: save: {outputProblem}");
            if (isRestore && state.ptr is null && state.len > 0)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT,
                    $"{managed.Definition.Id}: restore: state.ptr is NULL, len {state.len}");
            if (isRestore && state.len > int.MaxValue)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INPUT,
                    $"{managed.Definition.Id}: restore: a state of {state.len} bytes is larger than this SDK reads");
            if (managed.Definition.Threading == NpAbi.NP_THREADING_SINGLE)
            {
                if (Interlocked.Exchange(ref managed.Busy, 1) != 0)
                    return ErrorReporter.Fail(error, NpAbi.NP_ERR_STATE,
                        $"{Operation}: another call on this NP_THREADING_SINGLE instance is running (rule H4)");
                _entered = true;
            }
            if (!isRestore)
            {
                plugin.SaveState(new OutBytes(output));
                return NpAbi.NP_OK;
            }
            if (managed.StreamOpen)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_STATE,
                    $"{managed.Definition.Id}: restore: a stream is open; restore into a fresh instance (after create or flush)");
            plugin.RestoreState(new ReadOnlySpan<byte>(state.ptr, (int)state.len));
            managed.StreamOpen = true; // the saved instance may have held something back: the next flush emits it
            return NpAbi.NP_OK;
        }

        // As process and flush: a plugin status NP_ERR_PANIC is a panic (S2).
        public readonly bool IsPluginStatus(int status) => status != NpAbi.NP_ERR_PANIC;

        public readonly void OnPluginStatus() { }

        public readonly string Subject() => $"{_managed?.Definition.Id}: {Operation}";

        public readonly void OnPanic(Exception exception, string message)
        {
            if (_block is null)
                return;
            _block->Poison();
            if (_managed is not null)
            {
                _managed.PoisonReason = message;
                InstanceExports.LogException(_managed.Host, Operation, exception);
            }
        }

        public readonly void Exit()
        {
            if (_entered)
                Volatile.Write(ref _managed!.Busy, 0);
        }
    }
}
