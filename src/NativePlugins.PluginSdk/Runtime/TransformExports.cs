using System.ComponentModel;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// The np.transform/1 vtable behind the generated [UnmanagedCallersOnly] functions. Every method validates what the
/// host handed over (rule P6), runs through <see cref="ExportBoundary"/>, which contains every exception (P7: a
/// <see cref="PluginException"/> is the plugin's status; anything else is NP_ERR_PANIC and poisons the instance), and
/// keeps the stats counters.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class TransformExports
{
    /// <summary>create: parse the config, construct plugin <paramref name="index"/> of the library through the
    /// generated factory, reject unknown keys.</summary>
    public static int Create(delegate*<LibraryState> library, int index, np_host_t* host, np_str_t config,
        np_instance_t** outInstance, np_error_t* error, delegate*<PluginConfig, PluginHost, TransformPlugin> factory)
    {
        var body = new CreateBody(library, index, host, config, outInstance, factory);
        return ExportBoundary.Run(ref body, error);
    }

    /// <summary>destroy: valid in every state (also poisoned); NULL is a no-op; a stale pointer is ignored.</summary>
    public static void Destroy(np_instance_t* instance)
    {
        var body = new DestroyBody(instance);
        ExportBoundary.Run(ref body, null);
    }

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

    private struct CreateBody(delegate*<LibraryState> library, int index, np_host_t* host, np_str_t config,
        np_instance_t** outInstance, delegate*<PluginConfig, PluginHost, TransformPlugin> factory) : IExportBody
    {
        private TransformPlugin? _plugin;

        public int Run(np_error_t* error)
        {
            if (outInstance is null)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT, "out_instance is NULL");
            *outInstance = null;
            if (HostTable.Validate(host) is { } hostProblem)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT, hostProblem);
            string? text = NativeText.TryDecode(config, out string? textProblem);
            if (text is null)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_CONFIG, $"config: {textProblem}");

            PluginDefinition definition = library().Plugins[index];
            // With a declared schema the whole config is checked before the plugin's code runs (an unknown key is named
            // before a missing required one); without one, unknown keys are found after construction.
            PluginConfig parsed = definition.ConfigSchema is { } schema ? schema.Parse(text) : PluginConfig.Parse(text);
            var pluginHost = new PluginHost(host);
            using (TransformPlugin.BeginCreation(pluginHost))
                _plugin = factory(parsed, pluginHost);
            parsed.ThrowIfUnknownKeys();

            *outInstance = (np_instance_t*)InstanceBlock.Allocate(new ManagedInstance(_plugin, definition, pluginHost));
            return NpAbi.NP_OK;
        }

        // Any status a PluginException carries is create's result, NP_ERR_PANIC too: there is no instance to poison.
        public readonly bool IsPluginStatus(int status) => true;

        public readonly void OnPluginStatus() => DisposeQuietly(_plugin);

        public readonly string Subject() => $"{library().Plugins[index].Id}: create";

        public readonly void OnPanic(Exception exception, string message)
        {
            DisposeQuietly(_plugin);
            LogException(host, "create", exception);
        }

        public readonly void Exit() { }
    }

    private struct DestroyBody(np_instance_t* instance) : IExportBody
    {
        private InstanceBlock* _block;
        private ManagedInstance? _managed;

        public int Run(np_error_t* error)
        {
            _block = InstanceBlock.FromHandle(instance);
            if (_block is null)
                return NpAbi.NP_OK;
            _managed = _block->Target;
            _managed.Plugin.Dispose();
            return NpAbi.NP_OK;
        }

        // destroy returns nothing: whatever Dispose threw, the host's log is the only place to say it.
        public readonly bool IsPluginStatus(int status) => false;

        public readonly void OnPluginStatus() { }

        public readonly string Subject() => "destroy";

        public readonly void OnPanic(Exception exception, string message)
        {
            if (_managed is not null)
                LogException(_managed.Host, "destroy", exception);
        }

        // The block is freed whatever Dispose did: after destroy the pointer is stale.
        public readonly void Exit()
        {
            if (_block is not null)
                InstanceBlock.Free(_block);
        }
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
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT, InvalidInstance(instance));
            ManagedInstance managed = _managed = _block->Target;
            if (_block->IsPoisoned)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_STATE, PoisonedMessage(managed));
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
            if (isFlush) managed.Plugin.Flush(new Emitter(output));
            else managed.Plugin.Process(new RecordBatch(batch->data, batch->offsets, count), new Emitter(output));
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
                LogException(_managed.Host, isFlush ? "flush" : "process", exception);
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

    private static string PoisonedMessage(ManagedInstance managed) =>
        $"the instance is poisoned by an earlier panic and only accepts destroy ({managed.PoisonReason})";

    private static string InvalidInstance(np_instance_t* instance) => instance is null
        ? "instance is NULL"
        : $"0x{(nuint)instance:x} is not a live instance of this library (destroyed, or from another library)";

    /// <summary>The full exception (with its stack trace) goes to the host's log; only the message fits the error buffer.
    /// The host knows which instance logs (the table it handed out), so the line does not name the plugin.</summary>
    private static void LogException(PluginHost host, string call, Exception e)
    {
        try
        {
            host.Log(PluginLogLevel.Error, $"{call}: unhandled exception: {e}");
        }
        catch (Exception)
        {
            // The exception's text threw (ToString reads Message) or could not be built: log what can be said.
            try
            {
                host.Log(PluginLogLevel.Error,
                    $"{call}: {ExportBoundary.PanicMessage(e)} (no stack trace: the exception could not be formatted)");
            }
            catch (Exception)
            {
                // Logging is best effort; the status already says what happened.
            }
        }
    }

    private static void LogException(np_host_t* host, string call, Exception e)
    {
        if (HostTable.Validate(host) is null)
            LogException(new PluginHost(host), call, e);
    }

    private static void DisposeQuietly(TransformPlugin? plugin)
    {
        try
        {
            plugin?.Dispose();
        }
        catch (Exception)
        {
            // The create already failed; its status and message are what the host needs.
        }
    }
}
