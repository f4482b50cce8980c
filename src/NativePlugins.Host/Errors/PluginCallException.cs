using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>
/// A call into a plugin failed: <c>create</c>, <c>process</c>, <c>flush</c> or <c>stats</c> returned a failing
/// status, or the plugin broke a protocol rule during the call (rule P10). Carries the status, its name, the
/// plugin, the file and the plugin's own message from its <c>np_error_t</c>. An isolated plugin's process dying or
/// missing its deadline is one of the derived <see cref="PluginCrashedException"/> / <see cref="PluginTimeoutException"/>.
/// </summary>
public class PluginCallException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PluginCallException(string operation, int status, string pluginId, string filePath, string pluginMessage,
        int detailCode = 0, bool protocolViolation = false)
        : base(Format(operation, status, pluginId, filePath, pluginMessage, protocolViolation, IndexOf(status, detailCode)))
    {
        Operation = operation;
        Status = status;
        StatusName = NpStatus.Name(status);
        PluginId = pluginId;
        FilePath = filePath;
        PluginMessage = pluginMessage;
        DetailCode = detailCode;
        IsProtocolViolation = protocolViolation;
        RecordIndex = IndexOf(status, detailCode);
    }

    /// <summary>For the derived faults of an isolated plugin: the message is made by the derived class.</summary>
    private protected PluginCallException(string message, string operation, int status, string pluginId, string filePath,
        string pluginMessage)
        : base(message)
    {
        Operation = operation;
        Status = status;
        StatusName = NpStatus.Name(status);
        PluginId = pluginId;
        FilePath = filePath;
        PluginMessage = pluginMessage;
    }

    /// <summary>The operation that failed: <c>create</c>, <c>process</c>, <c>flush</c> or <c>stats</c>.</summary>
    public string Operation { get; }

    /// <summary>The <c>np_status</c> the plugin returned (an unknown negative value is kept as is).</summary>
    public int Status { get; }

    /// <summary>The status name, e.g. <c>NP_ERR_CONFIG</c>; unknown negative codes read <c>NP_ERR_PLUGIN</c>.</summary>
    public string StatusName { get; }

    /// <summary>Id of the plugin that failed.</summary>
    public string PluginId { get; }

    /// <summary>The library file of the plugin.</summary>
    public string FilePath { get; }

    /// <summary>The message the plugin wrote into the error buffer (rule P5), as one line (control characters, bidi
    /// controls and bytes that are not UTF-8 escaped: <see cref="NativeText.OneLine(string)"/>), or a host note.</summary>
    public string PluginMessage { get; }

    /// <summary>The plugin-specific detail code from <c>np_error_t.code</c>; 0 if none. For <c>NP_ERR_INPUT</c> it is the
    /// refused record's index + 1 (see <see cref="RecordIndex"/>).</summary>
    public int DetailCode { get; }

    /// <summary>
    /// For <c>NP_ERR_INPUT</c> from <c>process</c>: the index in the batch of the record the plugin refused, read from
    /// <c>np_error_t.code</c>, which holds index + 1 (interop/README.md section 7; the SDKs' input-error helpers
    /// write it). Null when the plugin did not say (code 0) or for any other status.
    /// </summary>
    public long? RecordIndex { get; }

    private static long? IndexOf(int status, int code) =>
        status == Interop.NpAbi.NP_ERR_INPUT && code > 0 ? code - 1L : null;

    /// <summary>True when the host detected a broken protocol (e.g. a corrupted emitter), not a failing status.</summary>
    public bool IsProtocolViolation { get; }

    // One line, whatever the plugin or the file system put into the parts (NativeText.OneLine, interop/README.md
    // section 5): the plugin's message was shown by that rule already, and showing is idempotent.
    private static string Format(string op, int status, string id, string file, string message, bool violation, long? record)
    {
        var where = $"{NativeText.OneLine(file)}: plugin '{NativeText.OneLine(id)}'";
        return violation
            ? $"{where}: {op} broke the protocol: {NativeText.OneLine(message)}"
            : $"{where}: {op} failed with {NpStatus.Name(status)} ({status}){(record is { } r ? $" at record {r}" : "")}: {NativeText.OneLine(message)}";
    }
}
