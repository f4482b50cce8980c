using System.ComponentModel;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// The instance lifecycle every interface shares, behind the generated [UnmanagedCallersOnly] functions: create
/// (parse the config, construct the plugin class through its generated factory, hand out an
/// <see cref="InstanceBlock"/>), destroy, and <see cref="Call{TTarget, TCall}"/>, the frame of every instance method
/// of a user interface (np.transform/1's process and flush are <see cref="TransformExports"/>). Everything runs
/// through <see cref="ExportBoundary"/>: a <see cref="PluginException"/> is the plugin's status; anything else is
/// NP_ERR_PANIC and poisons the instance (rule P7).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class InstanceExports
{
    /// <summary>create of interface <paramref name="interfaceIndex"/> of plugin <paramref name="pluginIndex"/>:
    /// parse the config, construct the class through the generated <paramref name="factory"/>, reject unknown keys.
    /// <paramref name="outInstance"/> is the interface's <c>T **out_instance</c>.</summary>
    public static int Create(delegate*<LibraryState> library, int pluginIndex, int interfaceIndex, np_host_t* host,
        np_str_t config, void** outInstance, np_error_t* error, delegate*<PluginConfig, PluginHost, object> factory)
    {
        var body = new CreateBody(library, pluginIndex, interfaceIndex, host, config, outInstance, factory);
        return ExportBoundary.Run(ref body, error);
    }

    /// <summary>destroy: valid in every state (also poisoned); NULL is a no-op; a stale pointer is ignored.</summary>
    public static void Destroy(void* instance)
    {
        var body = new DestroyBody(instance);
        ExportBoundary.Run(ref body, null);
    }

    /// <summary>
    /// One instance method of interface <paramref name="interfaceId"/>: find the instance (refusing a NULL, stale or
    /// foreign pointer, and one another interface's create made), refuse a poisoned one with NP_ERR_STATE, keep an
    /// NP_THREADING_SINGLE instance's calls from overlapping (guarantee S3), then run <paramref name="call"/> on the
    /// plugin object. <paramref name="call"/> is passed by reference so that a function returning a value (not a
    /// status) reads its result back from it; a failure leaves that result at its default.
    /// </summary>
    public static int Call<TTarget, TCall>(void* instance, string interfaceId, string function, ref TCall call,
        np_error_t* error)
        where TTarget : class
        where TCall : struct, IInstanceCall<TTarget>
    {
        var body = new CallBody<TTarget, TCall>(instance, interfaceId, function, call);
        int status = ExportBoundary.Run(ref body, error);
        call = body.Call;
        return status;
    }

    private struct CreateBody(delegate*<LibraryState> library, int pluginIndex, int interfaceIndex, np_host_t* host,
        np_str_t config, void** outInstance, delegate*<PluginConfig, PluginHost, object> factory) : IExportBody
    {
        private object? _plugin;

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

            PluginDefinition definition = library().Plugins[pluginIndex];
            // With a declared schema the whole config is checked before the plugin's code runs (an unknown key is named
            // before a missing required one); without one, unknown keys are found after construction.
            PluginConfig parsed = definition.ConfigSchema is { } schema ? schema.Parse(text) : PluginConfig.Parse(text);
            var pluginHost = new PluginHost(host);
            using (TransformPlugin.BeginCreation(pluginHost))
                _plugin = factory(parsed, pluginHost);
            parsed.ThrowIfUnknownKeys();

            var managed = new ManagedInstance(_plugin, definition, definition.Interfaces[interfaceIndex].Id, pluginHost);
            *outInstance = InstanceBlock.Allocate(managed);
            return NpAbi.NP_OK;
        }

        // Any status a PluginException carries is create's result, NP_ERR_PANIC too: there is no instance to poison.
        public readonly bool IsPluginStatus(int status) => true;

        public readonly void OnPluginStatus() => DisposeQuietly(_plugin);

        public readonly string Subject() => $"{library().Plugins[pluginIndex].Id}: create";

        public readonly void OnPanic(Exception exception, string message)
        {
            DisposeQuietly(_plugin);
            if (HostTable.Validate(host) is null)
                LogException(new PluginHost(host), "create", exception);
        }

        public readonly void Exit() { }
    }

    private struct DestroyBody(void* instance) : IExportBody
    {
        private InstanceBlock* _block;
        private ManagedInstance? _managed;

        public int Run(np_error_t* error)
        {
            _block = InstanceBlock.FromHandle(instance);
            if (_block is null)
                return NpAbi.NP_OK;
            _managed = _block->Target;
            (_managed.Plugin as IDisposable)?.Dispose();
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

    private struct CallBody<TTarget, TCall>(void* instance, string interfaceId, string function, TCall call)
        : IExportBody
        where TTarget : class
        where TCall : struct, IInstanceCall<TTarget>
    {
        public TCall Call = call;
        private InstanceBlock* _block;
        private ManagedInstance? _managed;
        private bool _entered;

        public int Run(np_error_t* error)
        {
            _block = InstanceBlock.FromHandle(instance);
            if (_block is null)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT, InvalidInstance(instance));
            ManagedInstance managed = _managed = _block->Target;
            if (!string.Equals(managed.InterfaceId, interfaceId, StringComparison.Ordinal))
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT, WrongInterface(instance, managed, interfaceId));
            if (_block->IsPoisoned)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_STATE, PoisonedMessage(managed));
            if (managed.Definition.Threading == NpAbi.NP_THREADING_SINGLE)
            {
                if (Interlocked.Exchange(ref managed.Busy, 1) != 0)
                    return ErrorReporter.Fail(error, NpAbi.NP_ERR_STATE,
                        $"{function}: another call on this NP_THREADING_SINGLE instance is running (rule H4)");
                _entered = true;
            }
            return Call.Invoke((TTarget)managed.Plugin);
        }

        // A plugin status NP_ERR_PANIC is a panic: it poisons like any other exception (S2).
        public readonly bool IsPluginStatus(int status) => status != NpAbi.NP_ERR_PANIC;

        public readonly void OnPluginStatus() { }

        public readonly string Subject() => $"{_managed?.Definition.Id}: {function}";

        // Rule P7: an unexpected exception poisons the instance (first: nothing below can undo it) and is logged.
        public readonly void OnPanic(Exception exception, string message)
        {
            if (_block is null)
                return; // failed before the instance was found: nothing to poison
            _block->Poison();
            if (_managed is not null)
            {
                _managed.PoisonReason = message;
                LogException(_managed.Host, function, exception);
            }
        }

        public readonly void Exit()
        {
            if (_entered)
                Volatile.Write(ref _managed!.Busy, 0);
        }
    }

    internal static string PoisonedMessage(ManagedInstance managed) =>
        $"the instance is poisoned by an earlier panic and only accepts destroy ({managed.PoisonReason})";

    internal static string InvalidInstance(void* instance) => instance is null
        ? "instance is NULL"
        : $"0x{(nuint)instance:x} is not a live instance of this library (destroyed, or from another library)";

    internal static string WrongInterface(void* instance, ManagedInstance managed, string interfaceId) =>
        $"0x{(nuint)instance:x} is an instance of {managed.InterfaceId} (plugin {managed.Definition.Id}), not of {interfaceId}";

    /// <summary>The full exception (with its stack trace) goes to the host's log; only the message fits the error buffer.
    /// The host knows which instance logs (the table it handed out), so the line does not name the plugin.</summary>
    internal static void LogException(PluginHost host, string call, Exception e)
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

    private static void DisposeQuietly(object? plugin)
    {
        try
        {
            (plugin as IDisposable)?.Dispose();
        }
        catch (Exception)
        {
            // The create already failed; its status and message are what the host needs.
        }
    }
}
