using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// The work of one export, run by <see cref="ExportBoundary.Run{TBody}"/>: a struct carrying the call's arguments and
/// whatever its failure and exit handling need. A struct type argument makes every export its own specialization of
/// the boundary, so the hooks are direct calls and nothing is allocated per call (process runs once per batch).
/// </summary>
internal unsafe interface IExportBody
{
    /// <summary>The export's work; returns its status. May throw: the boundary turns the exception into a status.</summary>
    int Run(np_error_t* error);

    /// <summary>Whether a <see cref="PluginException"/> with <paramref name="status"/> is the call's own result
    /// (its status, message and detail code) rather than a panic (rule P7: process and flush treat a plugin status
    /// NP_ERR_PANIC as a panic, which poisons; create reports any status as it is; library calls run no plugin
    /// code, so for them every exception is a panic).</summary>
    bool IsPluginStatus(int status);

    /// <summary>Run threw a <see cref="PluginException"/> that is the call's result: undo what Run began (create
    /// disposes a half-made plugin). Exceptions thrown here are contained.</summary>
    void OnPluginStatus();

    /// <summary>"ID: OPERATION", for a plugin status without a message (rule S7: every SDK then writes
    /// <c>ID: OPERATION failed with NP_ERR_X (the plugin gave no message)</c>). Called on that failure path only.</summary>
    string Subject();

    /// <summary>Run threw anything else: poison, log, dispose. <paramref name="message"/> is what the error buffer
    /// gets. Exceptions thrown here are contained; poison first.</summary>
    void OnPanic(Exception exception, string message);

    /// <summary>Always runs after Run and its failure handling, whatever happened (counters, the S3 call guard,
    /// freeing the instance block).</summary>
    void Exit();
}

/// <summary>
/// The one place where the C# SDK's exports contain exceptions (guarantee S1): an exception escaping an
/// [UnmanagedCallersOnly] method aborts the host process, so every export of the SDK runtime (np_entry, init, deinit,
/// create, destroy, process, flush) runs its body through <see cref="Run{TBody}"/>, and nothing here lets one through:
/// <list type="bullet">
/// <item>a <see cref="PluginException"/> that the body accepts as a plugin status becomes that status, its message
/// and its detail code (<c>np_error_t.code</c>, the record index + 1 of <see cref="PluginException.InputAt"/>);</item>
/// <item>anything else is NP_ERR_PANIC with <c>unhandled TYPE: MESSAGE</c>, after the body's panic hook (rule P7:
/// poisoning, the host's log);</item>
/// <item>when building the message fails in turn (a Message getter that throws, an allocation failure), the status
/// stands and a constant message is written, which needs no allocation.</item>
/// </list>
/// The try/catch costs nothing on the path that does not throw.
/// </summary>
internal static unsafe class ExportBoundary
{
    // Constant messages for when formatting a message failed: writing them allocates nothing.
    internal const string UnformattableMessage = "unhandled exception (its message could not be formatted)";
    internal const string UnformattablePluginMessage = "the plugin failed, and its message could not be formatted";
    internal const string ExitFailedMessage = "the SDK could not finish the call (an exception after the call ran)";

    /// <summary>Runs <paramref name="body"/>; returns its status or the status its exception stands for. Never throws.
    /// <paramref name="error"/> may be NULL (a caller that passed none; np_entry of a 1.0/1.1 host, whose negotiation
    /// struct has no error field).</summary>
    public static int Run<TBody>(ref TBody body, np_error_t* error)
        where TBody : struct, IExportBody
    {
        int status;
        try
        {
            status = body.Run(error);
        }
        catch (Exception e)
        {
            status = Contain(ref body, error, e);
        }

        try
        {
            body.Exit();
        }
        catch (Exception)
        {
            status = WriteConstant(error, NpAbi.NP_ERR_PANIC, ExitFailedMessage, 0);
        }
        return status;
    }

    /// <summary>The catch block of every export.</summary>
    private static int Contain<TBody>(ref TBody body, np_error_t* error, Exception e)
        where TBody : struct, IExportBody
    {
        if (e is PluginException plugin)
        {
            // Status and DetailCode are plain fields of PluginException: reading them cannot throw.
            int status = plugin.Status, code = plugin.DetailCode;
            if (body.IsPluginStatus(status))
            {
                try
                {
                    body.OnPluginStatus();
                }
                catch (Exception)
                {
                    // The undo failed; the status and message are still what the host needs.
                }
                try
                {
                    string text = plugin.Message;
                    if (text.Length == 0)
                        text = $"{body.Subject()} failed with {ErrorReporter.StatusName(status)} (the plugin gave no message)";
                    return ErrorReporter.Fail(error, status, text, code);
                }
                catch (Exception)
                {
                    return WriteConstant(error, status, UnformattablePluginMessage, code);
                }
            }
        }

        string message = PanicMessage(e);
        try
        {
            body.OnPanic(e, message);
        }
        catch (Exception)
        {
            // The hook poisons first; what failed after that (logging) is best effort.
        }
        try
        {
            return ErrorReporter.Fail(error, NpAbi.NP_ERR_PANIC, message);
        }
        catch (Exception)
        {
            return WriteConstant(error, NpAbi.NP_ERR_PANIC, UnformattableMessage, 0);
        }
    }

    /// <summary><c>unhandled TYPE: MESSAGE</c>. Never throws: a Message getter that throws gives
    /// <c>unhandled TYPE (its Message threw)</c>, and a failure to format even that gives a constant.
    /// Messages do not repeat the plugin id or the call: the host knows both and names them (rules H3, P5).</summary>
    internal static string PanicMessage(Exception e)
    {
        try
        {
            return $"unhandled {e.GetType().FullName}: {e.Message}";
        }
        catch (Exception)
        {
            try
            {
                return $"unhandled {e.GetType().FullName} (its Message threw)"; // a hostile exception type
            }
            catch (Exception)
            {
                return UnformattableMessage;
            }
        }
    }

    /// <summary>Writes a constant message (no allocation); returns <paramref name="status"/> even if that fails.</summary>
    private static int WriteConstant(np_error_t* error, int status, string message, int code)
    {
        try
        {
            return ErrorReporter.Fail(error, status, message, code);
        }
        catch (Exception)
        {
            return status;
        }
    }
}
