namespace NativePlugins.Hosting;

/// <summary>Where a library's plugin code runs (<see cref="PluginHostOptions.Isolation"/>).</summary>
public enum PluginIsolation
{
    /// <summary>In the host process (the default): the fastest, and a plugin that crashes takes the host with it.</summary>
    InProcess = 0,

    /// <summary>One worker process (<c>nplug-worker</c>) per library, serving all its instances: a crash, exit or hang
    /// costs that library's instances their state (each is recreated, see <see cref="RestartPolicy"/>), nothing else.</summary>
    ProcessPerLibrary = 1,

    /// <summary>One worker process per instance (plus a short-lived one at load): a fault costs only that instance.
    /// Each instance pays the library's load and init in its own process.</summary>
    ProcessPerInstance = 2,
}
