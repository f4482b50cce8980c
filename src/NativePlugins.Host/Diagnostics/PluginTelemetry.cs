namespace NativePlugins.Hosting.Diagnostics;

/// <summary>
/// The names under which a <see cref="PluginHost"/> reports what it does: one <see cref="System.Diagnostics.Metrics.Meter"/>
/// and one <see cref="System.Diagnostics.ActivitySource"/>, both named <see cref="SourceName"/>, their instruments,
/// spans and tags. These constants are the one place the names are spelled; subscribe by them
/// (<c>AddMeter(PluginTelemetry.SourceName)</c>, <c>AddSource(PluginTelemetry.SourceName)</c> in OpenTelemetry).
/// </summary>
/// <remarks>
/// Counters are recorded per plugin call (one <c>process</c> or <c>flush</c> of a whole batch, one function of a
/// registered interface), never per record. With no listener an instrumented call costs a few field loads.
/// <c>stats</c>, a [leaf] read of a transform's own counters, is not counted.
/// </remarks>
public static class PluginTelemetry
{
    /// <summary>Name of the meter and of the activity source: <c>NativePlugins.Host</c>.</summary>
    public const string SourceName = "NativePlugins.Host";

    /// <summary>Counter of calls into plugin instances. Tags: <see cref="PluginIdTag"/>, <see cref="InterfaceIdTag"/>,
    /// <see cref="OperationTag"/>.</summary>
    public const string CallsInstrument = "nativeplugins.calls";

    /// <summary>Counter of records handed to <c>np.transform/1</c> <c>process</c> calls. Tags as
    /// <see cref="CallsInstrument"/>.</summary>
    public const string RecordsInInstrument = "nativeplugins.records.in";

    /// <summary>Counter of records <c>np.transform/1</c> instances emitted (by <c>process</c> and <c>flush</c>). Tags
    /// as <see cref="CallsInstrument"/>.</summary>
    public const string RecordsOutInstrument = "nativeplugins.records.out";

    /// <summary>Counter of failed plugin calls (a failing status, or a broken protocol). Tags as
    /// <see cref="CallsInstrument"/> plus <see cref="ErrorTypeTag"/>.</summary>
    public const string FailuresInstrument = "nativeplugins.failures";

    /// <summary>Span of one library load (<see cref="PluginHost.Load(string)"/>, and each file of a directory scan). Tags:
    /// <see cref="FileTag"/>, <see cref="PluginIdTag"/> (the library's plugin ids, comma-separated; on a refusal
    /// the plugin the refusal names, when known), <see cref="OutcomeTag"/>; on a refusal the status is
    /// <see cref="System.Diagnostics.ActivityStatusCode.Error"/> with the message, and <see cref="ErrorTypeTag"/> is
    /// the <see cref="PluginLoadError"/> name.</summary>
    public const string LoadActivity = "nativeplugins.load";

    /// <summary>Span of one instance creation (a transform's <c>create</c> or a registered interface's
    /// <c>@create</c>). Tags: <see cref="FileTag"/>, <see cref="PluginIdTag"/>, <see cref="InterfaceIdTag"/>,
    /// <see cref="OutcomeTag"/>; on a failure the status is Error and <see cref="ErrorTypeTag"/> is the status
    /// name (<c>NP_ERR_CONFIG</c>, ...).</summary>
    public const string CreateActivity = "nativeplugins.create";

    /// <summary>Tag: the plugin id.</summary>
    public const string PluginIdTag = "nativeplugins.plugin.id";

    /// <summary>Tag: the interface id, e.g. <c>np.transform/1</c>.</summary>
    public const string InterfaceIdTag = "nativeplugins.interface.id";

    /// <summary>Tag: the function called: <c>process</c>, <c>flush</c>, or a registered interface's function name.</summary>
    public const string OperationTag = "nativeplugins.operation";

    /// <summary>Tag: full path of the library file.</summary>
    public const string FileTag = "nativeplugins.file";

    /// <summary>Tag of the spans: <see cref="OutcomeOk"/> or <see cref="OutcomeRefused"/>.</summary>
    public const string OutcomeTag = "nativeplugins.outcome";

    /// <summary>Outcome of a load or create that succeeded.</summary>
    public const string OutcomeOk = "ok";

    /// <summary>Outcome of a library the host refused, or a create the plugin failed.</summary>
    public const string OutcomeRefused = "refused";

    /// <summary>Tag: why something failed (OpenTelemetry's <c>error.type</c>): a <see cref="PluginLoadError"/> name for a
    /// load, an <c>np_status</c> name for a call or a create, or <see cref="ProtocolViolationErrorType"/>.</summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary><see cref="ErrorTypeTag"/> of a call that broke the ABI protocol (rule P10), whatever status it returned.</summary>
    public const string ProtocolViolationErrorType = "protocol_violation";
}
