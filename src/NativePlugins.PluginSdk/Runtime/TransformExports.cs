using System.ComponentModel;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// The np.transform/1 vtable behind the generated [UnmanagedCallersOnly] functions. Every method validates what the
/// host handed over (rule P6), catches every exception (P7: a <see cref="PluginException"/> is the plugin's status;
/// anything else is NP_ERR_PANIC and poisons the instance), and keeps the stats counters.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class TransformExports
{
    /// <summary>create: parse the config, construct the plugin through the generated factory, reject unknown keys.</summary>
    public static int Create(PluginDefinition definition, np_host_t* host, np_str_t config, np_instance_t** outInstance,
        np_error_t* error, delegate*<PluginConfig, PluginHost, TransformPlugin> factory)
    {
        TransformPlugin? plugin = null;
        try
        {
            if (outInstance is null)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT, "out_instance is NULL");
            *outInstance = null;
            if (HostTable.Validate(host) is { } hostProblem)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT, hostProblem);
            string? text = NativeText.TryDecode(config, out string? textProblem);
            if (text is null)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_CONFIG, $"config: {textProblem}");

            // With a declared schema the whole config is checked before the plugin's code runs (an unknown key is named
            // before a missing required one); without one, unknown keys are found after construction.
            PluginConfig parsed = definition.ConfigSchema is { } schema ? schema.Parse(text) : PluginConfig.Parse(text);
            var pluginHost = new PluginHost(host);
            using (TransformPlugin.BeginCreation(pluginHost))
                plugin = factory(parsed, pluginHost);
            parsed.ThrowIfUnknownKeys();

            *outInstance = (np_instance_t*)InstanceBlock.Allocate(new ManagedInstance(plugin, definition, pluginHost));
            return NpAbi.NP_OK;
        }
        catch (PluginException e)
        {
            DisposeQuietly(plugin);
            return ErrorReporter.Fail(error, e.Status, e.Message, e.DetailCode);
        }
        catch (Exception e)
        {
            DisposeQuietly(plugin);
            LogException(host, "create", e);
            return ErrorReporter.Fail(error, NpAbi.NP_ERR_PANIC, PanicMessage(e));
        }
    }

    /// <summary>destroy: valid in every state (also poisoned); NULL is a no-op; a stale pointer is ignored.</summary>
    public static void Destroy(np_instance_t* instance)
    {
        try
        {
            InstanceBlock* block = InstanceBlock.FromHandle(instance);
            if (block is null)
                return;
            ManagedInstance? managed = null;
            try
            {
                managed = block->Target;
                managed.Plugin.Dispose();
            }
            catch (Exception e)
            {
                // destroy returns nothing: the host's log is the only place to say it.
                if (managed is not null)
                    LogException(managed.Host, "destroy", e);
            }
            finally
            {
                InstanceBlock.Free(block);
            }
        }
        catch (Exception)
        {
            // Nothing may escape an [UnmanagedCallersOnly] export; freeing the block failed and nobody can be told.
        }
    }

    /// <summary>process: validate the batch and the emitter, run the plugin, count records and bytes.</summary>
    public static int Process(np_instance_t* instance, np_batch_t* batch, np_emitter_t* output, np_error_t* error) =>
        RunWithEmitter(instance, batch, isFlush: false, output, error);

    /// <summary>flush: run the plugin's end-of-stream, count what it emitted.</summary>
    public static int Flush(np_instance_t* instance, np_emitter_t* output, np_error_t* error) =>
        RunWithEmitter(instance, null, isFlush: true, output, error);

    /// <summary>The one body of process and flush: the instance and its arguments are checked first (rules P6, P7),
    /// then the plugin runs with every exception contained: a <see cref="PluginException"/> becomes its status and
    /// message, anything else poisons the instance (rule P7). Records and bytes in and out are counted for stats
    /// even when the plugin fails half way, since the host keeps what it emitted.</summary>
    private static int RunWithEmitter(np_instance_t* instance, np_batch_t* batch, bool isFlush, np_emitter_t* output,
        np_error_t* error)
    {
        InstanceBlock* block = InstanceBlock.FromHandle(instance);
        if (block is null)
            return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT, InvalidInstance(instance));
        ManagedInstance? managed = null;
        ulong countBefore = 0, bytesBefore = 0;
        bool started = false, entered = false;
        try
        {
            managed = block->Target;
            if (block->IsPoisoned)
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
                entered = true;
            }
            // S4: a flush with no stream open (right after create, or after a flush) emits nothing and runs no plugin code.
            if (isFlush && !managed.StreamOpen)
                return NpAbi.NP_OK;

            int count = isFlush ? 0 : (int)batch->count;
            if (!isFlush) block->Count(batch->count, count == 0 ? 0 : batch->offsets[count], 0, 0);
            countBefore = output->count;
            bytesBefore = output->data_used;
            started = true;
            // S5: a flush ends the stream even when it fails (set before the call: the finally below cannot tell).
            managed.StreamOpen = !isFlush;
            if (isFlush) managed.Plugin.Flush(new Emitter(output));
            else managed.Plugin.Process(new RecordBatch(batch->data, batch->offsets, count), new Emitter(output));
            return NpAbi.NP_OK;
        }
        catch (PluginException e) when (e.Status != NpAbi.NP_ERR_PANIC)
        {
            return ErrorReporter.Fail(error, e.Status, e.Message, e.DetailCode);
        }
        catch (Exception e)
        {
            return Panic(block, managed, error, isFlush ? "flush" : "process", e);
        }
        finally
        {
            if (started)
                block->Count(0, 0, output->count - countBefore, output->data_used - bytesBefore);
            if (entered)
                Volatile.Write(ref managed!.Busy, 0);
        }
    }

    /// <summary>Rule P7: an unexpected exception poisons the instance and becomes NP_ERR_PANIC with its message.</summary>
    private static int Panic(InstanceBlock* block, ManagedInstance? managed, np_error_t* error, string call, Exception e)
    {
        block->Poison();
        string message = PanicMessage(e);
        if (managed is not null)
        {
            managed.PoisonReason = message;
            LogException(managed.Host, call, e);
        }
        return ErrorReporter.Fail(error, NpAbi.NP_ERR_PANIC, message);
    }

    // Messages do not repeat the plugin id or the call: the host knows both and names them (rule H3, P5).
    private static string PanicMessage(Exception e)
    {
        try
        {
            return $"unhandled {e.GetType().FullName}: {e.Message}";
        }
        catch (Exception)
        {
            return $"unhandled {e.GetType().FullName} (its Message threw)"; // a hostile exception type
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
            // Logging is best effort; the status already says what happened.
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
