using System.ComponentModel;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// process and flush of np.transform/1 behind the generated [UnmanagedCallersOnly] functions (create and destroy are
/// every interface's: <see cref="InstanceExports"/>). Both validate what the host handed over (rule P6), run through
/// <see cref="ExportBoundary"/>, which contains every exception (P7: a <see cref="PluginException"/> is the plugin's
/// status; anything else is NP_ERR_PANIC and poisons the instance), and keep the stats counters.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class TransformExports
{
    /// <summary>process: validate the batch and the emitter, run the plugin, count records and bytes.</summary>
    public static int Process(np_instance_t* instance, np_batch_t* batch, np_emitter_t* output, np_error_t* error)
    {
        var body = new EmitterCallBody(instance, batch, isFlush: false, output);
        return ExportBoundary.Run(ref body, error);
    }

    /// <summary>flush: run the plugin's end-of-stream, count what it emitted.</summary>
    public static int Flush(np_instance_t* instance, np_emitter_t* output, np_error_t* error)
    {
        var body = new EmitterCallBody(instance, null, isFlush: true, output);
        return ExportBoundary.Run(ref body, error);
    }

    /// <summary>The one body of process and flush: the instance and its arguments are checked first (rules P6, P7),
    /// then the plugin runs; the boundary contains its exceptions: a <see cref="PluginException"/> becomes its status
    /// and message, anything else (a plugin status NP_ERR_PANIC too) poisons the instance (rule P7). Records and bytes
    /// in and out are counted for stats even when the plugin fails half way, since the host keeps what it emitted.
    /// </summary>
    private struct EmitterCallBody(np_instance_t* instance, np_batch_t* batch, bool isFlush, np_emitter_t* output)
        : IExportBody
    {
        private InstanceBlock* _block;
        private ManagedInstance? _managed;
        private ulong _countBefore, _bytesBefore;
        private bool _started, _entered;

        public int Run(np_error_t* error)
        {
            _block = InstanceBlock.FromHandle(instance);
            if (_block is null)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT, InstanceExports.InvalidInstance(instance));
            ManagedInstance managed = _managed = _block->Target;
            if (managed.InterfaceId != NpAbi.NP_TRANSFORM_ID_STRING || managed.Plugin is not TransformPlugin plugin)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT,
                    InstanceExports.WrongInterface(instance, managed, NpAbi.NP_TRANSFORM_ID_STRING));
            if (_block->IsPoisoned)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_STATE, InstanceExports.PoisonedMessage(managed));
            if (!isFlush && RecordBatch.Validate(batch, out int batchStatus) is { } batchProblem)
                return ErrorReporter.Fail(error, batchStatus, batchProblem);
            if (Emitter.Validate(output) is { } emitterProblem)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT, emitterProblem);
            // S3: a host that overlaps calls on a SINGLE instance breaks rule H4; refuse before any plugin code runs.
            if (managed.Definition.Threading == NpAbi.NP_THREADING_SINGLE)
            {
                if (Interlocked.Exchange(ref managed.Busy, 1) != 0)
                    return ErrorReporter.Fail(error, NpAbi.NP_ERR_STATE, (isFlush ? "flush" : "process") +
                        ": another call on this NP_THREADING_SINGLE instance is running (rule H4)");
                _entered = true;
            }
            // S4: a flush with no stream open (right after create, or after a flush) emits nothing and runs no plugin code.
            if (isFlush && !managed.StreamOpen)
                return NpAbi.NP_OK;

            int count = isFlush ? 0 : (int)batch->count;
            if (!isFlush) _block->Count(batch->count, count == 0 ? 0 : batch->offsets[count], 0, 0);
            _countBefore = output->count;
            _bytesBefore = output->data_used;
            _started = true;
            // S5: a flush ends the stream even when it fails (set before the call: Exit cannot tell).
            managed.StreamOpen = !isFlush;
            if (isFlush) plugin.Flush(new Emitter(output));
            else plugin.Process(new RecordBatch(batch->data, batch->offsets, count), new Emitter(output));
            return NpAbi.NP_OK;
        }

        // A plugin status NP_ERR_PANIC is a panic: it poisons like any other exception (S2).
        public readonly bool IsPluginStatus(int status) => status != NpAbi.NP_ERR_PANIC;

        public readonly void OnPluginStatus() { }

        public readonly string Subject() => $"{_managed?.Definition.Id}: {(isFlush ? "flush" : "process")}";

        // Rule P7: an unexpected exception poisons the instance (first: nothing below can undo it) and is logged.
        public readonly void OnPanic(Exception exception, string message)
        {
            if (_block is null)
                return; // failed before the instance was found: nothing to poison
            _block->Poison();
            if (_managed is not null)
            {
                _managed.PoisonReason = message;
                InstanceExports.LogException(_managed.Host, isFlush ? "flush" : "process", exception);
            }
        }

        // The counters and the S3 guard, whatever happened once the call got that far.
        public readonly void Exit()
        {
            if (_started)
                _block->Count(0, 0, output->count - _countBefore, output->data_used - _bytesBefore);
            if (_entered)
                Volatile.Write(ref _managed!.Busy, 0);
        }
    }
}
