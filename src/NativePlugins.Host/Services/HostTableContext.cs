using Microsoft.Extensions.Logging;

namespace NativePlugins.Hosting.Services;

/// <summary>The managed side of one <c>np_host_t</c>: whom it was handed to (a library at init or an instance at
/// create), where its log lines go, and whose allocation counters it charges.</summary>
internal sealed class HostTableContext
{
    public HostTableContext(HostServices services, ILogger logger, AllocationCounters counters, string owner)
    {
        Services = services;
        Logger = logger;
        Counters = counters;
        Owner = owner;
    }

    public HostServices Services { get; }

    /// <summary>Category = plugin id for instance tables, the library file name for library tables.</summary>
    public ILogger Logger { get; }

    public AllocationCounters Counters { get; }

    /// <summary>For diagnostics: "plugin 'id'" or "library 'file'".</summary>
    public string Owner { get; }

    public void Warn(string message) => Safe(LogLevel.Warning, message);

    public void Error(string message) => Safe(LogLevel.Error, message);

    private void Safe(LogLevel level, string message)
    {
        try { Logger.Log(level, "host: {Owner}: {Message}", Owner, message); }
        catch { /* a failing logger must not take the host down from a native callback */ }
    }
}
